import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { signTwilioForm } from '../../functions/providers/twilio-signature';
import { captureOutput, findLeaks } from '../support/capture-logs';
import { afterIdle } from '../support/idle-environment';
import {
  PII,
  apiGatewayEvent,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_SECRET_ID,
  sid,
  twilioAccount,
  twilioCallbackEvent,
  twilioSecret,
  twilioStatusParams,
} from '../support/twilio-fixtures';
import { VONAGE_API_SECRET, VONAGE_SIGNATURE_SECRET, vonageSecret } from '../support/provider-fixtures';
import { buildCallback, type CallbackSigningSecrets } from '../../functions/providers/callback-builder';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/redaction';
const sqs = mockClient(SQSClient);
const secretsManager = mockClient(SecretsManagerClient);

const ACCOUNTS = [
  twilioAccount(),
  twilioAccount({ route: 'custom-domain', publicUrl: 'https://hooks.example.com/sms/status' }),
  // Other Twilio accounts: routes on one account read one message log, so they keep one retention.
  twilioAccount({ route: 'delayed', secretId: 'twilio-delayed', redactAfterSeconds: 3600 }),
  twilioAccount({ route: 'broken-secret', secretId: 'broken' }),
  twilioAccount({ route: 'flaky-secret', secretId: 'flaky' }),
  twilioAccount({ route: 'sent-age', secretId: 'twilio-sent-age', sentAgeSeconds: 172_800 }),
  twilioAccount({ route: 'thirty-days', secretId: 'twilio-thirty-days', redactAfterSeconds: 30 * 86_400 }),
  twilioAccount({ route: 'behind-port', publicUrl: 'https://hooks.example.com:8443/sms/status' }),
  twilioAccount({ route: 'signing-secret', secretId: 'api-credentials', signingSecretId: 'signing-keys' }),
  twilioAccount({ route: 'rotating', secretId: 'twilio-rotating' }),
  { route: 'vonage-sms', provider: 'vonage-sms', secretId: 'vonage' },
  { route: 'vonage-messages', provider: 'vonage-messages', secretId: 'vonage' },
];

let handler: (event: APIGatewayProxyEventV2, context?: { awsRequestId?: string }) => Promise<APIGatewayProxyStructuredResultV2>;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  process.env.REDACTOR_ACCOUNTS = JSON.stringify(ACCOUNTS);
  process.env.REDACTION_QUEUE_URL = QUEUE_URL;
  process.env.AWS_REGION = 'eu-west-1';
  ({ handler } = await import('../../functions/receiver/handler'));
});

beforeEach(() => {
  sqs.reset();
  secretsManager.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  for (const id of [TWILIO_SECRET_ID, 'twilio-delayed', 'twilio-sent-age', 'twilio-thirty-days']) {
    secretsManager.on(GetSecretValueCommand, { SecretId: id }).resolves({ SecretString: JSON.stringify(twilioSecret()) });
  }
  secretsManager.on(GetSecretValueCommand, { SecretId: 'vonage' }).resolves({ SecretString: JSON.stringify(vonageSecret()) });
  secretsManager.on(GetSecretValueCommand, { SecretId: 'broken' }).resolves({ SecretString: '{"accountSid":"nope","authToken":"x"}' });
  output = captureOutput();
  return () => output.restore();
});

function sentJobs(): Array<Record<string, unknown>> {
  return sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody!) as Record<string, unknown>);
}

describe('Lambda: receiver handler', () => {
  it('enqueues a PII-free job for a signed terminal callback and answers 200', async () => {
    const messageSid = sid('SM');
    const result = await handler(twilioCallbackEvent({ params: twilioStatusParams({ MessageSid: messageSid, Body: PII.body }) }));
    expect(result.statusCode).toBe(200);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.QueueUrl).toBe(QUEUE_URL);
    const [job] = sentJobs();
    expect(job).toEqual({ v: 1, provider: 'twilio', route: ACCOUNTS[0]!.route, messageId: messageSid, status: 'delivered', receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('reads the route from the raw path of a Function URL event (route key $default)', async () => {
    const event = { ...twilioCallbackEvent(), routeKey: '$default' };
    expect((await handler(event)).statusCode).toBe(200);
    expect((await handler({ ...event, rawPath: '/other/path' })).statusCode).toBe(404);
    expect((await handler({ ...event, rawPath: '/callbacks/%E0%A4%A' })).statusCode).toBe(404);
  });

  it('reads the route from the HTTP API route key when a custom-domain mapping prefixes the raw path', async () => {
    const params = twilioStatusParams();
    const publicUrl = 'https://hooks.example.com/sms/status';
    const event = twilioCallbackEvent({ route: 'custom-domain', params, signature: signTwilioForm(TWILIO_AUTH_TOKEN, publicUrl, params) });
    expect(event.routeKey).toBe('POST /callbacks/custom-domain');
    expect((await handler({ ...event, rawPath: '/sms/callbacks/custom-domain' })).statusCode).toBe(200);
  });

  it('reads the route from the raw path\'s last segment on the shared route of a large deployment, a mapping prefix included', async () => {
    const params = twilioStatusParams();
    const publicUrl = 'https://hooks.example.com/sms/status';
    const event = { ...twilioCallbackEvent({ route: 'custom-domain', params, signature: signTwilioForm(TWILIO_AUTH_TOKEN, publicUrl, params) }), routeKey: 'POST /callbacks/{route}' };
    expect((await handler({ ...event, rawPath: '/sms/callbacks/custom-domain' })).statusCode).toBe(200);
    expect((await handler({ ...event, rawPath: '/callbacks/no-such-route' })).statusCode).toBe(404);
    expect((await handler({ ...event, rawPath: '/callbacks/%E0%A4%A' })).statusCode).toBe(404);
  });

  it('decodes a base64-encoded body before verifying it', async () => {
    expect((await handler(twilioCallbackEvent({ base64: true }))).statusCode).toBe(200);
  });

  it('acknowledges a non-terminal status with 204 and enqueues nothing', async () => {
    const result = await handler(twilioCallbackEvent({ params: twilioStatusParams({ MessageStatus: 'sent', SmsStatus: 'sent' }) }));
    expect(result.statusCode).toBe(204);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it.each([
    { name: 'an unsigned callback', event: () => twilioCallbackEvent({ signature: null }), status: 401, error: 'missing X-Twilio-Signature header' },
    { name: 'a callback signed with another token', event: () => twilioCallbackEvent({ token: 'z'.repeat(32) }), status: 403, error: "X-Twilio-Signature does not match (check the account's publicUrl and signing secret)" },
    {
      name: 'a signed callback whose status was altered',
      event: () => {
        const params = twilioStatusParams({ MessageStatus: 'sent' });
        const event = twilioCallbackEvent({ params });
        return { ...event, body: event.body!.replace('MessageStatus=sent', 'MessageStatus=delivered') };
      },
      status: 403,
      error: "X-Twilio-Signature does not match (check the account's publicUrl and signing secret)",
    },
    {
      name: 'a callback for another Twilio account, signed with our token',
      event: () => twilioCallbackEvent({ params: twilioStatusParams({ AccountSid: sid('AC') }) }),
      status: 403,
      error: 'callback is for a different provider account than this route',
    },
    { name: 'an unknown route', event: () => twilioCallbackEvent({ route: 'nope' }), status: 404, error: 'unknown callback route' },
    { name: 'a GET', event: () => twilioCallbackEvent({ method: 'GET' }), status: 405, error: 'status callbacks must be POST' },
    {
      name: 'an oversized body',
      event: () => twilioCallbackEvent({ params: twilioStatusParams({ Padding: 'x'.repeat(70_000) }) }),
      status: 413,
      error: 'callback body is larger than 65536 bytes',
    },
    {
      name: 'a signed callback with a malformed MessageSid',
      event: () => twilioCallbackEvent({ params: twilioStatusParams({ MessageSid: 'SM1', SmsSid: 'SM1' }) }),
      status: 400,
      error: 'invalid Twilio callback: MessageSid: must be SM/MM followed by 32 hex digits; SmsSid: must be SM/MM followed by 32 hex digits',
    },
  ])('refuses $name with $status and enqueues nothing', async ({ event, status, error }) => {
    const result = await handler(event());
    expect({ status: result.statusCode, body: JSON.parse(result.body as string) }).toEqual({ status, body: { error } });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('checks the signature against the account publicUrl and the raw query as sent', async () => {
    const params = twilioStatusParams();
    const publicUrl = 'https://hooks.example.com/sms/status?tenant=a%2Fb';
    const event = twilioCallbackEvent({ route: 'custom-domain', params, rawQuery: 'tenant=a%2Fb', signature: signTwilioForm(TWILIO_AUTH_TOKEN, publicUrl, params) });
    expect((await handler(event)).statusCode).toBe(200);
    // The same signature does not hold for the API Gateway URL.
    const direct = twilioCallbackEvent({ params, signature: signTwilioForm(TWILIO_AUTH_TOKEN, publicUrl, params) });
    expect((await handler(direct)).statusCode).toBe(403);
  });

  it('accepts a signature over the publicUrl without the port the proxy listens on, as twilio-node does', async () => {
    const params = twilioStatusParams();
    const signature = signTwilioForm(TWILIO_AUTH_TOKEN, 'https://hooks.example.com/sms/status', params);
    expect((await handler(twilioCallbackEvent({ route: 'behind-port', params, signature }))).statusCode).toBe(200);
  });

  it('reads only the signing secret for an account that has one, never its API credentials', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'signing-keys' })
      .resolves({ SecretString: JSON.stringify({ accountSid: TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN }) });
    expect((await handler(twilioCallbackEvent({ route: 'signing-secret' }))).statusCode).toBe(200);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual(['signing-keys']);
  });

  it('schedules a message stuck at sent for redaction after the account sentAgeSeconds', async () => {
    const sent = twilioStatusParams({ MessageStatus: 'sent', SmsStatus: 'sent' });
    expect((await handler(twilioCallbackEvent({ params: sent }))).statusCode).toBe(204);
    expect((await handler(twilioCallbackEvent({ route: 'sent-age', params: sent }))).statusCode).toBe(200);
    const [job] = sentJobs();
    expect(job).toMatchObject({ status: 'sent', route: 'sent-age' });
    expect(Date.parse(job!.notBefore as string) - Date.parse(job!.receivedAt as string)).toBe(172_800_000);
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.DelaySeconds).toBe(900);
  });

  it('delays the job by the account redactAfterSeconds (SQS DelaySeconds ≤ 900, notBefore for the rest)', async () => {
    expect((await handler(twilioCallbackEvent({ route: 'delayed' }))).statusCode).toBe(200);
    const input = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(input.DelaySeconds).toBe(900);
    const job = sentJobs()[0]!;
    expect(Date.parse(job.notBefore as string) - Date.parse(job.receivedAt as string)).toBe(3_600_000);
  });

  it('enqueues nothing for a retention longer than a queue carries: the sweep redacts it when due', async () => {
    expect((await afterIdle(() => handler(twilioCallbackEvent({ route: 'thirty-days' })))).statusCode).toBe(204);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    // The ignored line (debug) is not written, but its metric is.
    const lines = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === 'callback.ignored')).toBeUndefined();
    expect(lines.find((l) => l.CallbacksIgnored === 1)).toMatchObject({ route: 'thirty-days', provider: 'twilio' });
  });

  describe('metrics and request ids', () => {
    const parsed = () => output.lines().map((l) => JSON.parse(l) as Record<string, any>);

    it('puts the Lambda request id on every decision line it writes', async () => {
      await handler(twilioCallbackEvent(), { awsRequestId: 'req-accepted' });
      await handler(twilioCallbackEvent({ token: 'z'.repeat(32) }), { awsRequestId: 'req-refused' });
      const decisions = parsed().filter((l) => l.event !== undefined);
      expect(decisions.map((l) => [l.event, l.requestId])).toEqual([['callback.accepted', 'req-accepted'], ['callback.refused', 'req-refused']]);
    });

    it('says which key generation verified each callback, and counts those the previous key verified', async () => {
      const newToken = 'n'.repeat(32);
      secretsManager.on(GetSecretValueCommand, { SecretId: 'twilio-rotating' })
        .resolves({ SecretString: JSON.stringify(twilioSecret({ authToken: newToken, previousAuthToken: TWILIO_AUTH_TOKEN })) });
      const start = Date.now();
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        // Hours apart: after an idle spell each invocation writes the metrics it holds.
        vi.setSystemTime(start + 5 * 3_600_000);
        expect((await handler(twilioCallbackEvent({ route: 'rotating', token: newToken }))).statusCode).toBe(200);
        vi.setSystemTime(start + 6 * 3_600_000);
        expect((await handler(twilioCallbackEvent({ route: 'rotating' }))).statusCode).toBe(200);
      } finally {
        vi.useRealTimers();
      }
      const lines = parsed();
      expect(lines.filter((l) => l.event === 'callback.accepted').map((l) => l.keyGeneration)).toEqual(['current', 'previous']);
      expect(lines.filter((l) => l.CallbacksByPreviousKey !== undefined).map((l) => [l.route, l.CallbacksByPreviousKey])).toEqual([['rotating', 1]]);
    });

    it('sums accepted callbacks per environment into one EMF line by provider and route, written within a minute', async () => {
      const minute = Math.ceil((Date.now() + 7_200_000) / 60_000) * 60_000;
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        // After an idle spell the environment writes everything it holds: start from an empty buffer.
        vi.setSystemTime(minute + 500);
        await handler(twilioCallbackEvent());
        output.clear();
        // Busy from here: each invocation within 10 s of the last one, for more than a minute.
        const times = [1000, 2000, 10_000, 19_000, 28_000, 37_000, 46_000, 55_000];
        for (const ms of times) {
          vi.setSystemTime(minute + ms);
          await handler(twilioCallbackEvent());
        }
        expect(parsed().map((l) => [l.event, l._aws])).toEqual(times.map(() => ['callback.accepted', undefined]));
        vi.setSystemTime(minute + 61_000);
        await handler(twilioCallbackEvent());
        const summed = parsed().filter((l) => l._aws !== undefined);
        expect(summed).toEqual([{
          provider: 'twilio',
          route: twilioAccount().route,
          CallbacksAccepted: times.length,
          _aws: {
            Timestamp: minute + 1000,
            CloudWatchMetrics: [{ Namespace: 'MessageRedactor', Dimensions: [['provider', 'route'], []], Metrics: [{ Name: 'CallbacksAccepted', Unit: 'Count' }] }],
          },
        }]);
      } finally {
        vi.useRealTimers();
      }
    });

    it.each([
      { name: 'an unsigned callback', event: () => twilioCallbackEvent({ signature: null }), status: 401, reason: 'unauthenticated' },
      { name: 'a wrong token', event: () => twilioCallbackEvent({ token: 'z'.repeat(32) }), status: 403, reason: 'bad-signature' },
    ])('counts $name as refused with reason $reason, by provider, route and reason', async ({ event, status, reason }) => {
      expect((await handler(event())).statusCode).toBe(status);
      const [line] = parsed();
      expect(line).toMatchObject({ level: 'WARN', event: 'callback.refused', httpStatus: status, reason, provider: 'twilio', CallbacksRefused: 1 });
      expect(line!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['provider', 'route', 'reason'], ['reason']]);
    });

    it('counts an unknown route by reason alone: the route is caller text and is never logged', async () => {
      expect((await handler(twilioCallbackEvent({ route: 'made-up' }))).statusCode).toBe(404);
      const [line] = parsed();
      expect(line).toMatchObject({ event: 'callback.refused', reason: 'unknown-route', CallbacksRefused: 1 });
      expect(line!.route).toBeUndefined();
      expect(line!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['reason']]);
    });

    it('counts a 5xx answer as CallbackServerErrors', async () => {
      sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));
      expect((await handler(twilioCallbackEvent())).statusCode).toBe(503);
      expect(parsed()[0]).toMatchObject({ level: 'ERROR', event: 'callback.failed', CallbackServerErrors: 1 });
    });
  });

  it('answers 503 when the job cannot be enqueued, so the provider retries', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));
    const result = await handler(twilioCallbackEvent());
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body as string)).toEqual({ error: 'temporarily unavailable; retry later' });
  });

  it('answers 503 when the secret cannot be loaded, and recovers on the next callback', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'flaky' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: JSON.stringify(twilioSecret()) });
    const first = await handler(twilioCallbackEvent({ route: 'flaky-secret' }));
    expect(first.statusCode).toBe(503);
    const line = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'callback.failed');
    expect(line).toMatchObject({ httpStatus: 503, error: { name: 'SecretUnavailableError', message: 'secret flaky could not be loaded', cause: 'ThrottlingException' } });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    const second = await handler(twilioCallbackEvent({ route: 'flaky-secret' }));
    expect(second.statusCode).toBe(200);
  });

  it('fails closed with 500 and a log line naming the field when the secret is malformed', async () => {
    const result = await handler(twilioCallbackEvent({ route: 'broken-secret' }));
    expect(result.statusCode).toBe(500);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    const line = output.lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'callback.failed');
    expect(line).toMatchObject({ level: 'ERROR', route: 'broken-secret', httpStatus: 500, error: { name: 'SecretShapeError', message: expect.stringContaining('accountSid: must be AC followed by 32 hex digits') } });
  });

  it('never writes a body, phone number, token or signature to logs or the queue', async () => {
    const params = twilioStatusParams({ Body: PII.body });
    const event = twilioCallbackEvent({ params });
    const signature = event.headers['x-twilio-signature']!;
    await handler(event);
    await handler(twilioCallbackEvent({ params: twilioStatusParams({ Body: PII.body, MessageStatus: 'sent' }) }));
    await handler(twilioCallbackEvent({ params, token: 'w'.repeat(32) }));
    await handler(twilioCallbackEvent({ params: twilioStatusParams({ MessageSid: PII.to }) }));
    await afterIdle(() => handler(twilioCallbackEvent({ route: 'broken-secret' })));
    const texts = [...output.lines(), ...sqs.commandCalls(SendMessageCommand).map((c) => JSON.stringify(c.args[0].input))];
    expect(output.lines().length).toBeGreaterThanOrEqual(5);
    expect(findLeaks(texts, [PII.body, PII.from, PII.to, TWILIO_AUTH_TOKEN, signature, 'w'.repeat(32)])).toEqual([]);
  });

  describe.each(['vonage-sms', 'vonage-messages'] as const)('%s', (provider) => {
    const signing = (signatureSecret: string): CallbackSigningSecrets => ({
      twilio: { accountSid: '', authToken: '' },
      signalwire: { projectId: '', signingKey: '' },
      carrierx: { callbackToken: '' },
      vonage: { apiKey: 'a1b2c3d4', signatureSecret },
    });
    const messageId = provider === 'vonage-sms' ? '0C0000002EEBDA56' : 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    /** The callback Vonage sends, numbers (PII.to, PII.from) included, as the receiver gets it. */
    function vonageEvent(status: string, signatureSecret = VONAGE_SIGNATURE_SECRET): { event: APIGatewayProxyEventV2; secretBits: string[] } {
      const message = { provider: provider as ProviderName, id: messageId, body: '', status, direction: 'outbound' as const, media: [], userData: '', redactAttempts: 0, to: PII.to, from: PII.from };
      const callback = buildCallback(message, status, `https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/${provider}`, signing(signatureSecret));
      const url = new URL(callback.url);
      const sig = new URLSearchParams(callback.body).get('sig');
      return {
        event: apiGatewayEvent({ method: 'POST', domain: url.host, rawPath: url.pathname, rawQuery: '', headers: callback.headers, body: callback.body }),
        secretBits: [...(sig === null ? [] : [sig]), ...(callback.headers.authorization === undefined ? [] : [callback.headers.authorization.slice(7)])],
      };
    }

    it('enqueues a job of ids and status only for a signed final callback, and never logs or enqueues a number, secret or signature', async () => {
      const final = vonageEvent('delivered');
      expect((await handler(final.event)).statusCode).toBe(200);
      // Held an hour by default: Vonage's Redact API refuses a record in its first hour.
      const [job] = sentJobs();
      expect(job).toEqual({ v: 1, provider, route: provider, messageId, status: 'delivered', receivedAt: expect.any(String), notBefore: expect.any(String) });
      expect(Date.parse(job!.notBefore as string) - Date.parse(job!.receivedAt as string)).toBe(3_600_000);
      const pending = vonageEvent(provider === 'vonage-sms' ? 'accepted' : 'submitted');
      expect((await handler(pending.event)).statusCode).toBe(204);
      const texts = [...output.lines(), ...sqs.commandCalls(SendMessageCommand).map((c) => JSON.stringify(c.args[0].input))];
      const numbers = [PII.to, PII.from, PII.to.slice(1), PII.from.slice(1)];
      expect(findLeaks(texts, [...numbers, VONAGE_SIGNATURE_SECRET, VONAGE_API_SECRET, ...final.secretBits, ...pending.secretBits])).toEqual([]);
    });

    it('refuses a callback signed with another secret with 403 and enqueues nothing', async () => {
      const forged = vonageEvent('delivered', 'not-the-signature-secret-0123');
      expect((await handler(forged.event)).statusCode).toBe(403);
      expect(sentJobs()).toEqual([]);
    });
  });
});
