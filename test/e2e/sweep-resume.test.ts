import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsJobQueue, SqsSweepQueue } from '../../functions/aws/sqs-queues';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { silentLogger } from '../../functions/core/telemetry/logger';
import { CachedSecretStore } from '../../functions/core/secrets/secret-store';
import type { SweepPageJob } from '../../functions/core/reconciliation/sweep-page-job';
import { UndiciHttpClient } from '../../functions/http/undici-http-client';
import { listingProviders } from '../../functions/providers';
import { createSweepHandler } from '../../functions/sweep/create-handler';
import type { SweepFunctionDeps } from '../../functions/sweep/sweep-deps';
import { buildSqsEvent } from '../../local/events/sqs-event';
import { fileSecretFetch } from '../../local/file-secrets';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from '../../local/local-stack';

/**
 * The scheduled sweep on the local stack, driven like Lambda drives it: the schedule queues the first
 * page on a FIFO page queue, each page is one invocation, and a run that dies half way (here: the
 * enqueue of page 2 fails, as a Lambda killed mid-page would) resumes from the page left in the queue.
 */
describe('Sweep: a scheduled run that dies half way', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-sweep-resume-'));
  let stack: LocalStack;
  let http: UndiciHttpClient;
  let pageQueueUrl: string;

  beforeAll(async () => {
    stack = await startLocalStack({ stateDir, maxConcurrency: 2 });
    // Stop the redactor: this test counts the jobs the sweep enqueues.
    await stack.poller.stop();
    pageQueueUrl = stack.queues.server.createQueue('sweep-pages.fifo', { attributes: { FifoQueue: 'true', VisibilityTimeout: '1' } }).queueUrl;
    http = new UndiciHttpClient({ timeoutMs: 5_000, connectionsPerOrigin: 2 });
  }, 30_000);
  afterAll(async () => {
    await http.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('resumes at the page left in the queue and completes: every due message enqueued, none lost', { timeout: 60_000 }, async () => {
    const now = Date.now();
    // A new route's first daily run takes the last day: seed it (no retention, so due when sent).
    const seeded = stack.sandbox.seedHistory('twilio', { count: 2_500, sentAt: (i) => now - 22 * 3_600_000 + i * 30_000, status: 'delivered' });
    const jobs = new SqsJobQueue(stack.queues.sqs, stack.queues.queueUrl);
    let failNextBatch = 0;
    const deps: SweepFunctionDeps = {
      accounts: indexByRoute(parseAccounts(stack.accounts)),
      listers: listingProviders,
      secrets: new CachedSecretStore({ fetch: fileSecretFetch(stack.secretsFile), maxAgeMs: 60_000 }),
      http,
      jobs: {
        sendBatch: async (batch: readonly RedactionJob[]) => {
          // The second page dies once after sending part of its jobs, like an invocation killed mid-page.
          if (++failNextBatch === 2) {
            await jobs.sendBatch(batch.slice(0, 300));
            throw new Error('Lambda was killed');
          }
          await jobs.sendBatch(batch);
        },
      },
      pages: new SqsSweepQueue(stack.queues.sqs, pageQueueUrl),
      now: () => new Date(),
      log: silentLogger,
      pageSize: 1000,
      schedule: { intervalSeconds: 86_400, lateStatusSeconds: 0, settleSeconds: 0 },
      coverage: stack.coverage.store,
      maxPagesPerRun: 100,
      evidence: { put: async () => { throw new Error('no audit here'); } },
      auditLookbackSeconds: 86_400,
    };
    const handler = createSweepHandler(deps);
    await handler({ kind: 'sweep-schedule', route: LOCAL_ROUTES.twilio, time: new Date(now).toISOString() });

    let done: SweepPageJob | undefined;
    let invocations = 0;
    for (let polls = 0; polls < 60 && done === undefined; polls++) {
      const received = await stack.queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: pageQueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, AttributeNames: ['All'] }));
      const message = received.Messages?.[0];
      if (message === undefined) continue;
      invocations++;
      const result = await handler(buildSqsEvent([{ messageId: message.MessageId!, receiptHandle: message.ReceiptHandle!, body: message.Body!, receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1) }], 'arn:aws:sqs:us-east-1:000000000000:sweep-pages.fifo'));
      if (result && result.batchItemFailures.length > 0) continue; // left for redelivery, as Lambda would
      await stack.queues.sqs.send(new DeleteMessageCommand({ QueueUrl: pageQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
      const page = JSON.parse(message.Body!) as SweepPageJob;
      if (page.cursor !== undefined && page.totals.pages === 2) done = page;
    }
    expect(done, 'the third and last page was read').toBeDefined();
    // Three pages, plus the one redelivery of the page that died.
    expect(invocations).toBe(4);

    const inspected = stack.queues.server.inspectQueue('message-redactor-jobs')!;
    const queued = [...inspected.messages.ready, ...inspected.messages.delayed, ...inspected.messages.inflight]
      .map((m) => (JSON.parse((m as { body: string }).body) as RedactionJob).messageId);
    // At least once each (the dead page's 300 jobs twice), never a message left out.
    expect(new Set(queued)).toEqual(new Set(seeded.map((m) => m.id)));
    expect(queued.length).toBe(2_500 + 300);
  });
});
