import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RedactorHandler } from '../../functions/redactor/create-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { afterIdle } from '../support/idle-environment';
import { captureOutput, findLeaks } from '../support/capture-logs';
import { lambdaContext } from '../support/lambda-context';
import { ProviderSandbox } from '../../local/sandbox/provider-sandbox';
import {
  PII,
  TWILIO_AUTH_TOKEN,
  TWILIO_ROUTE,
  TWILIO_SECRET_ID,
  sid,
  sqsEvent,
  twilioAccount,
  twilioSandboxCredentials,
  twilioSecret,
} from '../support/twilio-fixtures';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/redaction';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/redaction-dlq';
const sqs = mockClient(SQSClient);
const secretsManager = mockClient(SecretsManagerClient);
const twilio = new ProviderSandbox({ credentials: twilioSandboxCredentials() });

let handler: RedactorHandler;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  await twilio.start();
  const apiBaseUrl = twilio.apiBaseUrl('twilio');
  process.env.REDACTOR_ACCOUNTS = JSON.stringify([
    twilioAccount({ apiBaseUrl, deleteMedia: true }),
    // A wrong base URL answers 404 too, without Twilio's 20404 error.
    twilioAccount({ route: 'wrong-base-url', apiBaseUrl: `${new URL(apiBaseUrl).origin}/not-twilio` }),
    // A trailing slash would make every path start with `//`; the config normalises it away.
    twilioAccount({ route: 'trailing-slash', apiBaseUrl: `${apiBaseUrl}/` }),
  ]);
  process.env.REDACTION_QUEUE_URL = QUEUE_URL;
  process.env.DEAD_LETTER_QUEUE_URL = DLQ_URL;
  process.env.HTTP_TIMEOUT_MS = '1500';
  process.env.AWS_REGION = 'eu-west-1';
  ({ handler } = await import('../../functions/redactor/handler'));
});

afterAll(() => twilio.stop());

beforeEach(() => {
  sqs.reset();
  secretsManager.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  secretsManager.on(GetSecretValueCommand, { SecretId: TWILIO_SECRET_ID }).resolves({ SecretString: JSON.stringify(twilioSecret()) });
  twilio.setCredentials(twilioSandboxCredentials());
  output = captureOutput();
  return () => output.restore();
});

/** A message at the fake provider and the job that asks to redact it. */
function message(options: { status?: string; media?: number } = {}): RedactionJob {
  const { id: messageId } = twilio.createMessage('twilio', { body: PII.body, status: options.status ?? 'delivered', media: options.media ?? 0 });
  return { v: 1, provider: 'twilio', route: TWILIO_ROUTE, messageId, status: 'delivered', receivedAt: new Date().toISOString() };
}

function event(...jobs: Array<RedactionJob | string>): SQSEvent {
  return sqsEvent(jobs.map((job, index) => ({ id: `r${index}`, body: typeof job === 'string' ? job : JSON.stringify(job) })));
}

function deadLetters() {
  return sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
}

function visibilityChanges() {
  return sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
}

describe('Lambda: redactor handler', () => {
  it('redacts the body at the provider and acks the record', async () => {
    const job = message();
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(twilio.messages.get(job.messageId)!.body).toBe('');
    expect(deadLetters()).toEqual([]);
  });

  it('writes one info line per redaction with the request id, and its outcome and time-to-redact as summed EMF metrics', async () => {
    await afterIdle(async () => {
      const job = { ...message(), receivedAt: new Date(Date.now() - 5_000).toISOString() };
      await handler(event(job), { ...lambdaContext(), awsRequestId: 'req-1' });
    });
    const lines = output.lines().map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual(expect.objectContaining({ level: 'INFO', event: 'redaction.done', requestId: 'req-1', outcome: 'redacted' }));
    expect(lines[0]!._aws).toBeUndefined();
    // The metric line: dimension values and numbers only, no ids.
    expect(Object.keys(lines[1]!).sort()).toEqual(['RedactionOutcomes', 'TimeToRedact', '_aws', 'outcome', 'provider', 'route']);
    expect(lines[1]).toMatchObject({ outcome: 'redacted', RedactionOutcomes: 1 });
    expect(lines[1]!.TimeToRedact).toBeGreaterThanOrEqual(5_000);
    expect(lines[1]!._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'MessageRedactor',
      Dimensions: [['provider', 'route', 'outcome'], ['outcome']],
      Metrics: [{ Name: 'RedactionOutcomes', Unit: 'Count' }, { Name: 'TimeToRedact', Unit: 'Milliseconds' }],
    }]);
  });

  it('counts a redacted sweep job as recovered by the sweep, not in time-to-redact', async () => {
    await afterIdle(() => handler(event({ ...message(), origin: 'sweep' }), lambdaContext()));
    const line = output.lines().map((l) => JSON.parse(l) as Record<string, any>).find((l) => l._aws !== undefined);
    expect(line).toMatchObject({ outcome: 'redacted', RecoveredBySweep: 1, RedactionOutcomes: 1 });
    expect(line!.TimeToRedact).toBeUndefined();
  });

  it('deletes MMS media when the account enables it', async () => {
    const job = message({ media: 2 });
    expect(job.messageId.startsWith('MM')).toBe(true);
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(twilio.messages.get(job.messageId)).toMatchObject({ body: '', status: 'delivered', media: [] });
  });

  it('acks a message the provider no longer has (404)', async () => {
    const job: RedactionJob = { ...message(), messageId: sid('SM') };
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()).toEqual([]);
    expect(output.lines().map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'WARN', event: 'redaction.not-found', messageId: job.messageId, outcome: 'not-found' }),
    );
  });

  it('dead-letters a 404 that is not Twilio\'s own "not found" as a config problem, never acks it', async () => {
    const job: RedactionJob = { ...message(), route: 'wrong-base-url' };
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()).toHaveLength(1);
    expect(deadLetters()[0]!.MessageAttributes).toMatchObject({ reason: { StringValue: 'config' }, code: { StringValue: 'http-404' } });
    expect(twilio.messages.get(job.messageId)!.body).toBe(PII.body);
  });

  it('redacts through an apiBaseUrl given with a trailing slash', async () => {
    const job: RedactionJob = { ...message(), route: 'trailing-slash' };
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(twilio.messages.get(job.messageId)!.body).toBe('');
    expect(deadLetters()).toEqual([]);
  });

  it('retries a 5xx later with backoff, reporting only that record', async () => {
    const ok = message();
    const flaky = message();
    twilio.script(flaky.messageId, { status: 503, body: { code: 20500 } });
    expect(await handler(event(ok, flaky), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r1' }] });
    expect(visibilityChanges()).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-r1', VisibilityTimeout: expect.any(Number) }]);
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeGreaterThanOrEqual(1);
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeLessThanOrEqual(2);
    expect(twilio.messages.get(ok.messageId)!.body).toBe('');
    expect(twilio.messages.get(flaky.messageId)!.body).toBe(PII.body);
  });

  it('waits at least Retry-After when throttled', async () => {
    const job = message();
    twilio.script(job.messageId, { status: 429, body: { code: 20429 }, headers: { 'retry-after': '45' } });
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBe(45);
  });

  it('retries a message that is not final yet after about a minute', async () => {
    const job = message({ status: 'sending' });
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeGreaterThanOrEqual(48);
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeLessThanOrEqual(60);
  });

  it('treats a provider that does not answer in time as transient', async () => {
    const job = message();
    twilio.script(job.messageId, { status: 200, body: { body: '' }, delayMs: 10_000 });
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
    expect(output.lines().some((line) => line.includes('"outcome":"transient"') && line.includes('"code":"timeout"'))).toBe(true);
  });

  it('dead-letters a permanent 4xx with its reason and provider code, then acks', async () => {
    const job = message();
    twilio.script(job.messageId, { status: 400, body: { code: 30400, message: `Invalid ${PII.to}` } });
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()).toEqual([
      {
        QueueUrl: DLQ_URL,
        MessageBody: JSON.stringify(job),
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'rejected' },
          code: { DataType: 'String', StringValue: '30400' },
          provider: { DataType: 'String', StringValue: 'twilio' },
          route: { DataType: 'String', StringValue: TWILIO_ROUTE },
          messageId: { DataType: 'String', StringValue: job.messageId },
          attempts: { DataType: 'Number', StringValue: '1' },
        },
      },
    ]);
  });

  it('reports the record for retry when the DLQ cannot take it, so nothing is lost', async () => {
    const job = message();
    twilio.script(job.messageId, { status: 400, body: { code: 30400 } });
    sqs.on(SendMessageCommand).rejects(new Error('KMS.ThrottlingException'));
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
  });

  it('refreshes credentials once on 401 and succeeds with the rotated token', async () => {
    const rotated = 'r'.repeat(32);
    const job = message();
    // Warm the cache with the old token, then rotate it at the provider and in Secrets Manager.
    await handler(event(message()), lambdaContext());
    twilio.setCredentials(twilioSandboxCredentials(rotated));
    secretsManager.on(GetSecretValueCommand, { SecretId: TWILIO_SECRET_ID }).resolves({ SecretString: JSON.stringify(twilioSecret({ authToken: rotated })) });
    const before = secretsManager.commandCalls(GetSecretValueCommand).length;
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(secretsManager.commandCalls(GetSecretValueCommand).length - before).toBe(1);
    expect(twilio.messages.get(job.messageId)!.body).toBe('');
  });

  it('dead-letters with reason auth when the refreshed credentials are refused too', async () => {
    twilio.setCredentials(twilioSandboxCredentials('q'.repeat(32)));
    const job = message();
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()[0]!.MessageAttributes!.reason!.StringValue).toBe('auth');
    expect(deadLetters()[0]!.MessageAttributes!.code!.StringValue).toBe('20003');
  });

  it('dead-letters a job that is not valid, naming the problem in the log', async () => {
    expect(await handler(event('{"v":2}'), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()[0]!.MessageAttributes!.reason!.StringValue).toBe('invalid-job');
    expect(output.lines().some((l) => l.includes('"event":"job.invalid"') && l.includes('job.v'))).toBe(true);
    expect(JSON.parse(output.lines()[0]!)).toMatchObject({ reason: 'invalid-job', DeadLetters: 1 });
  });

  it('dead-letters a job whose route is no longer configured', async () => {
    const job = { ...message(), route: 'removed-route' };
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()[0]!.MessageAttributes!.reason!.StringValue).toBe('unknown-route');
  });

  it('holds a job back until its notBefore time without calling the provider', async () => {
    const job = { ...message(), notBefore: new Date(Date.now() + 3_600_000).toISOString() };
    const before = twilio.requests.length;
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
    expect(twilio.requests.length).toBe(before);
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeGreaterThan(3_590);
    // Waiting is not retrying: it must not feed the retries metric.
    const events = output.lines().map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toContain('redaction.deferred');
    expect(events).not.toContain('redaction.retry');
  });

  it('asks for no more visibility than SQS allows from the receive, which Lambda bounds by the invocation start', async () => {
    const job = { ...message(), notBefore: new Date(Date.now() + 2 * 86_400_000).toISOString() };
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
    // 12 h less the event source's latency margin (300 s, no batching window) and the safety margin (60 s).
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeLessThanOrEqual(43_200 - 300 - 60);
    expect(visibilityChanges()[0]!.VisibilityTimeout).toBeGreaterThan(43_200 - 300 - 60 - 5);
  });

  it('parks a job still waiting on the last receive SQS allows, instead of leaving it to the reason-less redrive', async () => {
    const job = { ...message(), notBefore: new Date(Date.now() + 3_600_000).toISOString() };
    expect(await handler(sqsEvent([{ id: 'r0', body: JSON.stringify(job), receiveCount: 100 }]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()[0]!.MessageAttributes).toMatchObject({
      reason: { DataType: 'String', StringValue: 'gave-up' },
      code: { DataType: 'String', StringValue: 'waiting' },
    });
    expect(visibilityChanges()).toEqual([]);
  });

  it('starts no provider request past the record deadline and retries the record at once', async () => {
    const job = message();
    const before = twilio.requests.length;
    // 3 s left, but a request may take HTTP_TIMEOUT_MS (1.5 s) and settling the record 2 s: no time to start one.
    expect(await handler(event(job), lambdaContext(3_000))).toEqual({ batchItemFailures: [{ itemIdentifier: 'r0' }] });
    expect(twilio.requests.length).toBe(before);
    expect(visibilityChanges()).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-r0', VisibilityTimeout: 1 }]);
    expect(output.lines().map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ event: 'redaction.retry', outcome: 'transient', code: 'deadline', delaySeconds: 1 }),
    );
  });

  it('gives up on a job older than the maximum age with reason gave-up', async () => {
    const job = { ...message({ status: 'sending' }), receivedAt: new Date(Date.now() - 14 * 86_400_000).toISOString() };
    expect(await handler(event(job), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(deadLetters()[0]!.MessageAttributes!.reason!.StringValue).toBe('gave-up');
  });

  it('never logs a body, phone number or token, whatever the provider answers', async () => {
    const job = message();
    twilio.script(job.messageId, { status: 400, body: { code: 21211, message: `The 'To' number ${PII.to} is not valid` } });
    await handler(event(job, message(), '{"body":"' + PII.body + '"}'), lambdaContext());
    expect(findLeaks([...output.lines()], [PII.body, PII.to, PII.from, TWILIO_AUTH_TOKEN])).toEqual([]);
  });
});
