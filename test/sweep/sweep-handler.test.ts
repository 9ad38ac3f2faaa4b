import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import { createJsonLogger, silentLogger } from '../../functions/core/telemetry/logger';
import { CachedSecretStore } from '../../functions/core/secrets/secret-store';
import type { FanOutJob } from '../../functions/core/reconciliation/fan-out-job';
import { parseSweepPageJob, type SweepPageJob } from '../../functions/core/reconciliation/sweep-page-job';
import { DEFAULT_SWEEP_SCHEDULE } from '../../functions/core/reconciliation/sweep-window';
import { listingProviders } from '../../functions/providers';
import { createSweepHandler } from '../../functions/sweep/create-handler';
import { sweepDepsFromEnv, type SweepFunctionDeps } from '../../functions/sweep/sweep-deps';
import { captureOutput } from '../support/capture-logs';
import { buildSqsEvent } from '../../local/events/sqs-event';
import { startLocalCoverageStore, type LocalCoverageStore } from '../../local/local-coverage-store';
import { json, scriptedHttp } from '../support/fake-http';
import { TWILIO_ACCOUNT_SID, sid, twilioAccount, twilioSecret } from '../support/twilio-fixtures';

const NOW = new Date('2026-11-30T12:00:00Z');
const LIST_PATH = `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json`;

let coverage: LocalCoverageStore;
beforeEach(async () => {
  coverage = await startLocalCoverageStore();
});
afterEach(async () => {
  await coverage.stop();
});

function deps(answers: ReturnType<typeof json>[], accounts = [twilioAccount({ apiBaseUrl: 'https://api.example.test' })]) {
  const pages: SweepPageJob[] = [];
  const fanOuts: FanOutJob[] = [];
  const jobs: unknown[] = [];
  const d: SweepFunctionDeps = {
    accounts: indexByRoute(parseAccounts(accounts)),
    listers: listingProviders,
    secrets: new CachedSecretStore({ fetch: async () => JSON.stringify(twilioSecret()), maxAgeMs: 60_000 }),
    http: scriptedHttp((_r, i) => answers[Math.min(i, answers.length - 1)]!),
    jobs: { sendBatch: async (batch) => void jobs.push(...batch) },
    pages: { send: async (job) => void pages.push(job), sendFanOut: async (job) => void fanOuts.push(job) },
    now: () => NOW,
    log: silentLogger,
    pageSize: 1000,
    schedule: DEFAULT_SWEEP_SCHEDULE,
    coverage: coverage.store,
    maxPagesPerRun: 100,
    evidence: { put: async () => { throw new Error('no audit here'); } },
    auditLookbackSeconds: 86_400,
  };
  return { d, pages, fanOuts, jobs };
}

const recordEvent = (bodies: string[]): SQSEvent => buildSqsEvent(bodies.map((body, i) => ({ messageId: `m${i}`, receiptHandle: `h${i}`, body, receiveCount: 1 })), 'arn:aws:sqs:us-east-1:000000000000:pages.fifo');

describe('Function: createSweepHandler', () => {
  it('fans one schedule out over every account: the first step here, the rest through the page queue, each account started once', async () => {
    const accounts = Array.from({ length: 250 }, (_, i) => twilioAccount({ route: `clinic-${i}`, secretId: 'message-redactor/parent' }));
    const { d, pages, fanOuts } = deps([], accounts);
    const handler = createSweepHandler(d);
    await handler({ kind: 'sweep-schedule', time: NOW.toISOString() });
    expect(pages).toHaveLength(100);
    expect(fanOuts).toEqual([{ v: 1, kind: 'fan-out', run: 'sweep', time: NOW.toISOString(), from: 100 }]);
    // The page queue delivers each step; a step delivered twice starts nothing twice (the lease is held).
    await handler(recordEvent([JSON.stringify(fanOuts[0])]));
    await handler(recordEvent([JSON.stringify(fanOuts[0])]));
    await handler(recordEvent([JSON.stringify(fanOuts.at(-1))]));
    expect(fanOuts.map((job) => job.from)).toEqual([100, 200, 200]);
    expect(new Set(pages.map((page) => page.route)).size).toBe(250);
    expect(pages).toHaveLength(250);
    expect(pages.every((page) => page.dueBy === '2026-11-30T11:45:00.000Z')).toBe(true);
  });

  it('fans the audit schedule out the same way', async () => {
    const accounts = Array.from({ length: 120 }, (_, i) => twilioAccount({ route: `clinic-${i}`, secretId: 'message-redactor/parent' }));
    const { d, pages, fanOuts } = deps([], accounts);
    await createSweepHandler(d)({ kind: 'audit-schedule', time: NOW.toISOString() });
    expect(pages.map((page) => page.audit?.clock)).toEqual(Array(100).fill(NOW.toISOString()));
    expect(fanOuts).toEqual([{ v: 1, kind: 'fan-out', run: 'audit', time: NOW.toISOString(), from: 100 }]);
  });

  it('fails a malformed fan-out step for the page queue to park, naming the key', async () => {
    const { d } = deps([]);
    const lines: Array<Record<string, unknown>> = [];
    const handler = createSweepHandler({ ...d, log: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) });
    const result = await handler(recordEvent([JSON.stringify({ v: 1, kind: 'fan-out', run: 'sweep', time: NOW.toISOString(), from: -1 })]));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }] });
    expect(lines[0]).toMatchObject({ event: 'sweep.invalid-page-job', reason: expect.stringContaining('from') });
  });

  it('starts a scheduled run by queueing its first page, and nothing else', async () => {
    const { d, pages, jobs } = deps([]);
    await createSweepHandler(d)({ kind: 'sweep-schedule', route: twilioAccount().route, time: NOW.toISOString() });
    expect(pages).toHaveLength(1);
    // Planned from the event's time: due by 11:45 (15 minutes' settle), the last hour on a new route.
    expect(pages[0]).toMatchObject({ route: twilioAccount().route, dueBy: '2026-11-30T11:45:00.000Z', coverage: { phase: 'list', plan: { listFrom: '2026-11-30T10:45:00.000Z', listTo: '2026-11-30T11:45:00.000Z' } } });
    expect(jobs).toEqual([]);
    expect(await coverage.store.readCheckpoint(twilioAccount().route)).toMatchObject({ run: { runId: pages[0]!.runId }, version: 1 });
  });

  it('starts no second run while one holds the route, and says so', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { d, pages } = deps([]);
    const handler = createSweepHandler({ ...d, log: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) });
    await handler({ kind: 'sweep-schedule', route: twilioAccount().route, time: NOW.toISOString() });
    await handler({ kind: 'sweep-schedule', route: twilioAccount().route, time: new Date(NOW.getTime() + 3_600_000).toISOString() });
    expect(pages).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ event: 'sweep.run-busy', runId: pages[0]!.runId, SweepRunsBusy: 1 });
  });

  it('puts the Lambda request id on its log lines', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { d } = deps([json(200, { messages: [], next_page_uri: null })]);
    const handler = createSweepHandler({ ...d, log: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) });
    await handler({ kind: 'sweep-schedule', route: twilioAccount().route, time: NOW.toISOString() }, { awsRequestId: 'req-start' });
    expect(lines).toEqual([expect.objectContaining({ event: 'sweep.started', requestId: 'req-start' })]);
  });

  it('writes the page metrics of the deployed logger before the invocation ends: a run is not summed with the next', async () => {
    const { d, pages } = deps([json(200, { messages: [], next_page_uri: null })]);
    const output = captureOutput();
    try {
      const { log } = sweepDepsFromEnv({
        REDACTOR_ACCOUNTS: JSON.stringify([twilioAccount()]),
        REDACTION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/jobs',
        COVERAGE_TABLE_NAME: coverage.tableName,
        LOG_LEVEL: 'WARN',
      });
      const handler = createSweepHandler({ ...d, log });
      await handler({ kind: 'sweep-schedule', route: twilioAccount().route, time: NOW.toISOString() });
      await handler(recordEvent([JSON.stringify(pages[0])]));
      const lines = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([expect.objectContaining({ route: twilioAccount().route, SweepListed: 0, SweepEnqueued: 0 })]);
    } finally {
      output.restore();
    }
  });

  it('fails a schedule event for an unknown route, so the error alarm fires', async () => {
    const { d } = deps([]);
    await expect(createSweepHandler(d)({ kind: 'sweep-schedule', route: 'nope', time: NOW.toISOString() })).rejects.toThrow('configured route');
  });

  it('reads a page, enqueues what is due and queues the next page', async () => {
    const due = { sid: sid('SM'), status: 'delivered', body: 'x', num_media: '0', direction: 'outbound-api', date_created: 'Mon, 30 Nov 2026 11:00:00 +0000', date_sent: 'Mon, 30 Nov 2026 11:00:00 +0000', date_updated: 'Mon, 30 Nov 2026 11:05:00 +0000' };
    const { d, pages, jobs } = deps([json(200, { messages: [due], next_page_uri: `${LIST_PATH}?Page=1&PageToken=PA1` })]);
    const handler = createSweepHandler(d);
    await handler({ kind: 'sweep-schedule', route: twilioAccount().route, time: NOW.toISOString() });
    const result = await handler(recordEvent([JSON.stringify(pages[0])]));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(jobs).toMatchObject([{ messageId: due.sid, origin: 'sweep' }]);
    expect(pages[1]).toMatchObject({ cursor: `${LIST_PATH}?Page=1&PageToken=PA1`, totals: { pages: 1, listed: 1 } });
  });

  it('reports an unreadable page and an invalid page job as failures, for retry and the DLQ', async () => {
    const { d, pages } = deps([json(503, { code: 20500, status: 503 })]);
    const first = parseSweepPageJob(JSON.stringify({ v: 1, runId: 'r', route: twilioAccount().route, listFrom: NOW.toISOString(), listTo: NOW.toISOString(), dueBy: NOW.toISOString(), totals: { pages: 0, listed: 0, redact: {}, skipped: {} } }));
    expect(first.ok).toBe(true);
    const result = await createSweepHandler(d)(recordEvent([JSON.stringify(first.ok && first.job), '{"v":2}']));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }] });
    expect(pages).toEqual([]);
  });
});
