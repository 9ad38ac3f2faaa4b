import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { CountingLogger } from '../../local/counting-logger';
import { deadLetters } from '../../local/demo-run';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { buildCallback, type CallbackSigningSecrets } from '../../functions/providers/callback-builder';
import type { SandboxMessage } from '../../local/sandbox/sandbox-message';
import { waitFor } from '../support/wait-for';

/**
 * Idempotency and ordering on the local stack: duplicates, terminal statuses in any order, late
 * non-terminal callbacks and repeated jobs all end with one redacted message and no error noise; no
 * non-terminal status ever causes a redaction.
 */
let stack: LocalStack;
let log: CountingLogger;
let signing: CallbackSigningSecrets;

beforeAll(async () => {
  log = new CountingLogger();
  stack = await startLocalStack({ stateDir: mkdtempSync(join(tmpdir(), 'redactor-test-ordering-')), log });
  const secrets = JSON.parse(await readFile(stack.secretsFile, 'utf8')) as Record<string, Record<string, string>>;
  signing = {
    twilio: { accountSid: secrets['local/twilio']!.accountSid!, authToken: secrets['local/twilio']!.authToken! },
    signalwire: { projectId: secrets['local/signalwire']!.projectId!, signingKey: secrets['local/signalwire']!.signingKey! },
    carrierx: { callbackToken: secrets['local/carrierx']!.callbackToken! },
    vonage: { apiKey: secrets['local/vonage']!.apiKey!, signatureSecret: secrets['local/vonage']!.signatureSecret! },
  };
});
afterAll(() => stack.stop());

async function deliver(message: SandboxMessage, statuses: string[]): Promise<number[]> {
  const answers: number[] = [];
  for (const status of statuses) {
    const callback = buildCallback(message, status, stack.callbackUrl(message.provider), signing);
    const response = await fetch(callback.url, { method: 'POST', headers: callback.headers, body: callback.body });
    await response.arrayBuffer();
    answers.push(response.status);
  }
  return answers;
}

/** Waits until the pipeline is idle: nothing queued or in flight. */
async function settled(): Promise<void> {
  await waitFor(() => {
    const q = stack.queues.server.inspectQueue('message-redactor-jobs')!;
    return q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length === 0;
  }, 15_000, 'the queue to drain');
}

function errorEvents(): number {
  return ['redaction.dead-lettered', 'redaction.crashed', 'dead-letter.failed', 'job.invalid', 'job.unroutable'].reduce((n, e) => n + log.count(e), 0);
}

const REDACTABLE: ProviderName[] = ['twilio', 'signalwire-compat', 'signalwire-rest'];

describe.each(REDACTABLE)('Idempotency and ordering: %s', (provider) => {
  it.each([
    { name: 'a duplicated terminal callback', statuses: ['delivered', 'delivered'], answers: [200, 200] },
    { name: 'delivered after failed', statuses: ['failed', 'delivered'], answers: [200, 200] },
    { name: 'sent after delivered', statuses: ['delivered', 'sent'], answers: [200, 204] },
    { name: 'a terminal callback three times, interleaved with sent', statuses: ['sent', 'undelivered', 'sent', 'undelivered', 'undelivered'], answers: [204, 200, 204, 200, 200] },
  ])('$name ends with one redacted message and no error', async ({ statuses, answers }) => {
    const errorsBefore = errorEvents();
    const message = stack.sandbox.createMessage(provider, { body: 'ordering test body', status: statuses.includes('delivered') ? 'delivered' : 'undelivered' });
    expect(await deliver(message, statuses)).toEqual(answers);
    await waitFor(() => message.body === '', 15_000, 'the body to be empty');
    await settled();
    expect(deadLetters(stack).has(message.id)).toBe(false);
    expect(errorEvents()).toBe(errorsBefore);
  });

  it('never redacts on non-terminal statuses, in any order', async () => {
    const message = stack.sandbox.createMessage(provider, { body: 'still in flight', status: 'sent' });
    const nonTerminal = provider === 'signalwire-rest' ? ['initiated', 'queued', 'sent'] : ['sent', 'queued', 'sent'];
    expect(await deliver(message, nonTerminal)).toEqual([204, 204, 204]);
    await settled();
    expect(message.body).toBe('still in flight');
    expect(message.redactAttempts).toBe(0);
  });
});

describe('Idempotency: CarrierX', () => {
  it('never redacts on non-terminal statuses, and re-reads the status before acting', async () => {
    const message = stack.sandbox.createMessage('carrierx', { body: 'still queued', status: 'queued' });
    // A forged-looking "delivered" (CarrierX callbacks are unsigned): the redactor must read the status first.
    expect(await deliver(message, ['sent', 'delivered'])).toEqual([204, 200]);
    const calls = () => stack.sandbox.requests.filter((r) => r.path.endsWith(message.id)).map((r) => r.method);
    // Read, found not final, retried later (local policy: about a second) and read again.
    await waitFor(() => calls().length >= 2, 15_000, 'a second status read');
    expect(calls().every((method) => method === 'GET')).toBe(true);
    expect(message.userData).toBe('sandbox-user-data');
    expect(message.body).toBe('still queued');
  });
});
