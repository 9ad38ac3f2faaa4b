import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RedactorHandler } from '../../functions/redactor/create-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureOutput, findLeaks } from '../support/capture-logs';
import { lambdaContext } from '../support/lambda-context';
import { ProviderSandbox } from '../../local/sandbox/provider-sandbox';
import {
  PII,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_SECRET_ID,
  sqsEvent,
  twilioAccount,
  twilioCallbackEvent,
  twilioSandboxCredentials,
  twilioSecret,
  twilioStatusParams,
} from '../support/twilio-fixtures';

/**
 * End to end through both real Lambda handlers: a Twilio status callback → receiver → queue →
 * redactor → a Twilio Messages API on 127.0.0.1. The queue is an in-memory stand-in behind the real
 * SQS client (aws-sdk-client-mock), so what the receiver sends is exactly what the redactor receives.
 */
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/redaction';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/redaction-dlq';
const sqs = mockClient(SQSClient);
const secretsManager = mockClient(SecretsManagerClient);
const twilio = new ProviderSandbox({ credentials: twilioSandboxCredentials() });

let receive: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let redact: RedactorHandler;
let queue: Array<{ body: string; attributes?: Record<string, unknown> }>;
let dlq: typeof queue;
/** Every message body sent to either queue, kept after draining. */
let everySent: string[];
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  await twilio.start();
  const apiBaseUrl = twilio.apiBaseUrl('twilio');
  Object.assign(process.env, {
    REDACTOR_ACCOUNTS: JSON.stringify([twilioAccount({ apiBaseUrl })]),
    REDACTION_QUEUE_URL: QUEUE_URL,
    DEAD_LETTER_QUEUE_URL: DLQ_URL,
    AWS_REGION: 'eu-west-1',
  });
  ({ handler: receive } = await import('../../functions/receiver/handler'));
  ({ handler: redact } = await import('../../functions/redactor/handler'));
});

afterAll(() => twilio.stop());

beforeEach(() => {
  queue = [];
  dlq = [];
  everySent = [];
  sqs.reset();
  secretsManager.reset();
  sqs.on(SendMessageCommand).callsFake((input: { QueueUrl: string; MessageBody: string; MessageAttributes?: Record<string, unknown> }) => {
    everySent.push(input.MessageBody, JSON.stringify(input.MessageAttributes ?? {}));
    (input.QueueUrl === DLQ_URL ? dlq : queue).push({ body: input.MessageBody, attributes: input.MessageAttributes });
    return { MessageId: `m-${queue.length + dlq.length}` };
  });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  secretsManager.on(GetSecretValueCommand, { SecretId: TWILIO_SECRET_ID }).resolves({ SecretString: JSON.stringify(twilioSecret()) });
  output = captureOutput();
  return () => output.restore();
});

/** Delivers everything on the queue to the redactor, as the event source mapping would. */
async function drainQueue(): Promise<SQSBatchResponse> {
  const batch = queue.splice(0, queue.length);
  return redact(sqsEvent(batch.map((message, index) => ({ id: `e${index}`, body: message.body }))), lambdaContext());
}

function sentMessage(status = 'delivered'): { messageSid: string; event: APIGatewayProxyEventV2 } {
  const { id: messageSid } = twilio.createMessage('twilio', { body: PII.body, status });
  return {
    messageSid,
    event: twilioCallbackEvent({ params: twilioStatusParams({ MessageSid: messageSid, SmsSid: messageSid, MessageStatus: status, SmsStatus: status, Body: PII.body }) }),
  };
}

describe('End to end: Twilio', () => {
  it('turns a signed delivered callback into a redaction at the provider', async () => {
    const { messageSid, event } = sentMessage();
    expect((await receive(event)).statusCode).toBe(200);
    expect(queue).toHaveLength(1);
    expect(await drainQueue()).toEqual({ batchItemFailures: [] });
    expect(twilio.messages.get(messageSid)!.body).toBe('');
    const redactCalls = twilio.requests.filter((r) => r.path === `/twilio/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages/${messageSid}.json`);
    expect(redactCalls.map((r) => [r.method, r.headers['content-type'], r.body])).toEqual([['POST', 'application/x-www-form-urlencoded', 'Body=']]);
  });

  it('enqueues nothing for an unsigned or mis-signed callback', async () => {
    const { messageSid, event } = sentMessage();
    const { 'x-twilio-signature': _, ...unsigned } = event.headers;
    expect((await receive({ ...event, headers: unsigned })).statusCode).toBe(401);
    expect((await receive({ ...event, headers: { ...event.headers, 'x-twilio-signature': 'AAAA' + event.headers['x-twilio-signature']!.slice(4) } })).statusCode).toBe(403);
    expect(queue).toEqual([]);
    expect(twilio.messages.get(messageSid)!.body).toBe(PII.body);
  });

  it('acknowledges a sent callback and redacts nothing', async () => {
    const { messageSid, event } = sentMessage('sent');
    expect((await receive(event)).statusCode).toBe(204);
    expect(queue).toEqual([]);
    expect(twilio.messages.get(messageSid)!.body).toBe(PII.body);
  });

  it('parks a permanent 4xx in the DLQ with its reason', async () => {
    const { messageSid, event } = sentMessage();
    twilio.script(messageSid, { status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } });
    expect((await receive(event)).statusCode).toBe(200);
    expect(await drainQueue()).toEqual({ batchItemFailures: [] });
    expect(dlq).toHaveLength(1);
    expect(JSON.parse(dlq[0]!.body)).toMatchObject({ messageId: messageSid, status: 'delivered' });
    expect(dlq[0]!.attributes).toMatchObject({ reason: { StringValue: 'rejected' }, code: { StringValue: '21610' } });
  });

  it('keeps PII and credentials out of every log line and queue message along the way', async () => {
    const { event } = sentMessage();
    const rejected = sentMessage();
    twilio.script(rejected.messageSid, { status: 400, body: { code: 21211, message: `The 'To' number ${PII.to} is not valid` } });
    await receive(event);
    await receive(rejected.event);
    await drainQueue();
    expect(everySent.length).toBe(6); // two jobs and one dead letter, each body + attributes
    const texts = [...output.lines(), ...everySent];
    expect(findLeaks(texts, [PII.body, PII.from, PII.to, TWILIO_AUTH_TOKEN, event.headers['x-twilio-signature']!])).toEqual([]);
  });
});
