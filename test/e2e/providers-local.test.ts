import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { basicAuth } from '../../functions/providers/http-helpers';
import { buildCallback } from '../../functions/providers/callback-builder';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { providerStatus, type SandboxMessage } from '../../local/sandbox/sandbox-message';
import { waitFor } from '../support/wait-for';

/**
 * Every provider end to end on the local stack: real HTTP callback → receiver → SQS (fauxqs) →
 * redactor → the provider sandbox on 127.0.0.1.
 */
let stack: LocalStack;
let secrets: Record<string, Record<string, string>>;

beforeAll(async () => {
  stack = await startLocalStack({ stateDir: mkdtempSync(join(tmpdir(), 'redactor-test-providers-')) });
  const { readFile } = await import('node:fs/promises');
  secrets = JSON.parse(await readFile(stack.secretsFile, 'utf8')) as typeof secrets;
});
afterAll(() => stack.stop());

function queued(): number {
  const inspected = stack.queues.server.inspectQueue('message-redactor-jobs')!;
  return inspected.messages.ready.length + inspected.messages.delayed.length + inspected.messages.inflight.length;
}

async function post(callback: { url: string; headers: Record<string, string>; body: string }): Promise<number> {
  const response = await fetch(callback.url, { method: 'POST', headers: callback.headers, body: callback.body });
  await response.arrayBuffer();
  return response.status;
}

function signingSecrets() {
  return {
    twilio: { accountSid: secrets['local/twilio']!.accountSid!, authToken: secrets['local/twilio']!.authToken! },
    signalwire: { projectId: secrets['local/signalwire']!.projectId!, signingKey: secrets['local/signalwire']!.signingKey! },
    carrierx: { callbackToken: secrets['local/carrierx']!.callbackToken! },
    vonage: { apiKey: secrets['local/vonage']!.apiKey!, signatureSecret: secrets['local/vonage']!.signatureSecret! },
  };
}

/** The exact redaction request each provider documents (docs/providers.md). */
function expectedRedaction(provider: ProviderName, message: SandboxMessage): { method: string; path: string; contentType: string; body: string; authorization: string } {
  const twilio = secrets['local/twilio']!;
  const sw = secrets['local/signalwire']!;
  switch (provider) {
    case 'twilio':
      return { method: 'POST', path: `/twilio/2010-04-01/Accounts/${twilio.accountSid}/Messages/${message.id}.json`, contentType: 'application/x-www-form-urlencoded', body: 'Body=', authorization: basicAuth(twilio.accountSid!, twilio.authToken!) };
    case 'signalwire-compat':
      return { method: 'POST', path: `/signalwire/api/laml/2010-04-01/Accounts/${sw.projectId}/Messages/${message.id}`, contentType: 'application/x-www-form-urlencoded', body: 'Body=', authorization: basicAuth(sw.projectId!, sw.apiToken!) };
    case 'signalwire-rest':
      return { method: 'PATCH', path: `/signalwire/api/messaging/messages/${message.id}`, contentType: 'application/json', body: '{"body":""}', authorization: basicAuth(sw.projectId!, sw.apiToken!) };
    case 'carrierx':
      return { method: 'PATCH', path: `/carrierx/core/v2/sms/messages/${message.id}`, contentType: 'application/json', body: '{"user_data":""}', authorization: `Bearer ${secrets['local/carrierx']!.token}` };
    case 'vonage-sms':
    case 'vonage-messages': {
      const vonage = secrets['local/vonage']!;
      const product = provider === 'vonage-sms' ? 'sms' : 'messages';
      return {
        method: 'POST',
        path: '/vonage/v1/redact/transaction',
        contentType: 'application/json',
        body: JSON.stringify({ id: message.id, product, type: 'outbound' }),
        authorization: basicAuth(vonage.apiKey!, vonage.apiSecret!),
      };
    }
  }
}

const PROVIDERS: ProviderName[] = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'];

describe.each(PROVIDERS)('End to end on the local stack: %s', (provider) => {
  it('turns a signed terminal callback into exactly the documented redaction request', async () => {
    const { message, deliveries } = await stack.sender.send(provider, { final: 'delivered' });
    expect(deliveries.map((d) => d.answered)).toEqual([204, 200]); // `sent` (Vonage: accepted, submitted) ignored, `delivered` accepted
    const expected = expectedRedaction(provider, message);
    const request = await waitFor(() => stack.sandbox.requests.find((r) => r.method === expected.method && r.path === expected.path && r.body === expected.body), 15_000, 'the redaction request');
    expect({
      method: request.method,
      path: request.path,
      contentType: request.headers['content-type'],
      body: request.body,
      authorization: request.headers.authorization,
    }).toEqual(expected);
    if (provider === 'carrierx') {
      // CarrierX documents no way to blank the body: the pipeline must say so, not claim success.
      const parked = await waitFor(async () => {
        const out = await stack.queues.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queues.deadLetterQueueUrl, MessageAttributeNames: ['All'], MaxNumberOfMessages: 10 }));
        return out.Messages?.find((m) => m.Body?.includes(message.id));
      }, 15_000, 'the dead letter');
      expect(parked.MessageAttributes?.reason?.StringValue).toBe('provider-cannot-redact');
      expect(stack.sandbox.messages.get(message.id)!.body).not.toBe('');
      expect(stack.sandbox.messages.get(message.id)!.userData).toBe('');
    } else {
      await waitFor(() => stack.sandbox.messages.get(message.id)!.body === '', 15_000, 'the body to be empty');
    }
    // The job is done once the redactor has deleted it, a moment after the provider answered.
    await waitFor(() => queued() === 0, 15_000, 'the job to leave the queue');
  });

  it('refuses a forged callback and enqueues nothing', async () => {
    const message = stack.sandbox.createMessage(provider, { body: 'forged target', status: 'delivered' });
    const forged = buildCallback(message, 'delivered', stack.callbackUrl(provider), {
      twilio: { ...signingSecrets().twilio, authToken: 'f'.repeat(32) },
      signalwire: { ...signingSecrets().signalwire, signingKey: 'PSK_forged' },
      carrierx: { callbackToken: 'x'.repeat(32) },
      vonage: { ...signingSecrets().vonage, signatureSecret: 'forged-signature-secret-0123' },
    });
    // The previous test's job may still be finishing (its delete follows the redaction).
    await waitFor(() => queued() === 0, 15_000, 'the queue to drain');
    const before = stack.sandbox.requests.length;
    expect(await post(forged)).toBe(403);
    expect(queued()).toBe(0);
    expect(stack.sandbox.requests.length).toBe(before);
    expect(message.body).toBe('forged target');
  });

  it('acknowledges a non-terminal callback and enqueues nothing', async () => {
    const status = providerStatus(provider, 'queued');
    const message = stack.sandbox.createMessage(provider, { body: 'in flight', status });
    const callback = buildCallback(message, status, stack.callbackUrl(provider), signingSecrets());
    expect(await post(callback)).toBe(204);
    expect(queued()).toBe(0);
  });
});
