import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsDeadLetterQueue, SqsJobQueue } from '../../functions/aws/sqs-queues';
import { redactionProviders } from '../../functions/providers';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import type { Logger, LogFields } from '../../functions/core/telemetry/logger';
import type { Outcome } from '../../functions/core/redaction/outcome';
import { receivesSpentWaiting } from '../../functions/core/redaction/receive-budget';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { DEFAULT_RETRY_POLICY } from '../../functions/core/redaction/retry-policy';
import { createRedactorHandler, type RedactorHandler } from '../../functions/redactor/create-handler';
import type { RedactionProvider } from '../../functions/providers/provider';
import { startLocalQueues, type LocalQueues } from '../../local/local-queues';
import { scriptedHttp } from '../support/fake-http';
import { TWILIO_ROUTE, sid, twilioAccount } from '../support/twilio-fixtures';

/**
 * Long waits through the local queue, which refuses what SQS refuses (12 h of visibility counted
 * from the receive). The clock is simulated: the queue's rule and the redactor read the same one,
 * and each hop is fast-forwarded by making the record visible when its delay has run out.
 */
const SENT_AGE_SECONDS = 604_800;
/** Time between a receive and the redactor's visibility change (batching, slow provider calls). */
const PROCESSING_MS = 90_000;
const MAX_RECEIVE_COUNT = 100;

let queues: LocalQueues;
let clock = Date.parse('2026-11-30T00:00:00Z');
let events: Array<{ level: string; event: string; fields: LogFields }> = [];
/** What the fake provider answers, in order; then `redacted`. */
let answers: Outcome[] = [];
let providerCalls: number[] = [];
let handler: RedactorHandler;

const log: Logger = {
  debug: (event, fields = {}) => events.push({ level: 'debug', event, fields }),
  info: (event, fields = {}) => events.push({ level: 'info', event, fields }),
  warn: (event, fields = {}) => events.push({ level: 'warn', event, fields }),
  error: (event, fields = {}) => events.push({ level: 'error', event, fields }),
};

const fakeTwilio: RedactionProvider = {
  provider: 'twilio',
  bindClient: () => ({
    redact: async () => {
      providerCalls.push(clock);
      return answers.shift() ?? { kind: 'redacted' };
    },
  }),
};

beforeAll(async () => {
  queues = await startLocalQueues({ visibilityTimeoutSeconds: 180, maxReceiveCount: MAX_RECEIVE_COUNT, now: () => clock });
  handler = createRedactorHandler({
    accounts: indexByRoute(parseAccounts([twilioAccount({ sentAgeSeconds: SENT_AGE_SECONDS })])),
    providers: { ...redactionProviders, twilio: fakeTwilio },
    secrets: { get: async () => ({}), invalidate: () => undefined },
    http: scriptedHttp(() => new Error('the fake provider makes no HTTP request')),
    queue: new SqsJobQueue(queues.sqs, queues.queueUrl),
    deadLetters: new SqsDeadLetterQueue(queues.sqs, queues.deadLetterQueueUrl),
    policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: MAX_RECEIVE_COUNT },
    now: () => new Date(clock),
    random: () => 0.5,
    log,
    concurrency: 1,
    maxBatchingWindowSeconds: 0,
    invocationReserveMs: 0,
  });
});
afterAll(() => queues.stop());

beforeEach(() => {
  events = [];
  answers = [];
  providerCalls = [];
});

function toEvent(message: Message): SQSEvent {
  return {
    Records: [{
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body!,
      attributes: {
        ApproximateReceiveCount: message.Attributes!.ApproximateReceiveCount!,
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:message-redactor-jobs',
      awsRegion: 'us-east-1',
    }],
  };
}

/**
 * Runs the job through receive → redactor → (delete | hop) until it leaves the queue, like the event
 * source mapping, and returns how many receives it took.
 */
async function runUntilDone(): Promise<number> {
  for (let receives = 1; receives <= MAX_RECEIVE_COUNT + 1; receives += 1) {
    const out = await queues.sqs.send(new ReceiveMessageCommand({
      QueueUrl: queues.queueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }));
    const message = out.Messages?.[0];
    if (message === undefined) return receives - 1; // redriven to the DLQ, or nothing left
    const batchReceivedAt = new Date(clock);
    clock += PROCESSING_MS;
    const events0 = events.length;
    const response = await handler(toEvent(message), { getRemainingTimeInMillis: () => 30_000, batchReceivedAt });
    if (response.batchItemFailures.length === 0) {
      await queues.sqs.send(new DeleteMessageCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      return receives;
    }
    // The delay the redactor asked for runs out: fast-forward the clock and make the record visible.
    const asked = events.slice(events0).find((e) => e.event === 'redaction.deferred' || e.event === 'redaction.retry')!;
    clock += asked.fields.delaySeconds! * 1000;
    await queues.sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: queues.queueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0,
    }));
  }
  throw new Error('the job never left the queue');
}

async function enqueueSentAgeJob(): Promise<RedactionJob> {
  const job: RedactionJob = {
    v: 1, provider: 'twilio', route: TWILIO_ROUTE, messageId: sid('SM'), status: 'sent',
    receivedAt: new Date(clock).toISOString(),
    notBefore: new Date(clock + SENT_AGE_SECONDS * 1000).toISOString(),
  };
  await queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: JSON.stringify(job) }));
  clock += 900_000; // the receiver's DelaySeconds (15 minutes) covers the start of the wait
  return job;
}

describe('Redactor: waits longer than SQS can hold a message', () => {
  it('waits a 7-day sentAgeSeconds in hops SQS accepts, then redacts once the time has come', async () => {
    const job = await enqueueSentAgeJob();
    const receives = await runUntilDone();

    expect(events.filter((e) => e.level !== 'info')).toEqual([]);
    expect(providerCalls).toHaveLength(1);
    expect(providerCalls[0]).toBeGreaterThanOrEqual(Date.parse(job.notBefore!));
    // Every hop but the last is as long as the receive allows: 12 h less the processing and margin.
    const hops = events.filter((e) => e.event === 'redaction.deferred').map((e) => e.fields.delaySeconds);
    expect(hops.slice(0, -1)).toEqual(hops.slice(0, -1).map(() => 43_200 - PROCESSING_MS / 1000 - 60));
    expect(receives).toBe(hops.length + 1);
    // The synth-time check's model never undercounts what the wait really takes.
    expect(hops.length).toBeLessThanOrEqual(receivesSpentWaiting(SENT_AGE_SECONDS, { redactorTimeoutSeconds: 90, maxBatchingWindowSeconds: 0 }));
  });

  it('cuts a Retry-After longer than the receive allows to what is left of it, and redacts on a later receive', async () => {
    await queues.sqs.send(new SendMessageCommand({
      QueueUrl: queues.queueUrl,
      MessageBody: JSON.stringify({ v: 1, provider: 'twilio', route: TWILIO_ROUTE, messageId: sid('SM'), status: 'delivered', receivedAt: new Date(clock).toISOString() }),
    }));
    answers = [{ kind: 'throttled', retryAfterSeconds: 86_400, code: '20429' }];

    expect(await runUntilDone()).toBe(2);
    expect(events.filter((e) => e.level !== 'info')).toEqual([]);
    expect(events.find((e) => e.event === 'redaction.retry')!.fields.delaySeconds).toBe(43_200 - PROCESSING_MS / 1000 - 60);
    expect(providerCalls).toHaveLength(2);
  });
});
