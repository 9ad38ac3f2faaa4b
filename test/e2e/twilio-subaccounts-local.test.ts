import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../functions/core/telemetry/logger';
import { waitForQueueIdle } from '../../local/demo-run';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { generateLocalSecrets } from '../../local/local-state';
import { runLocalAudit } from '../../local/local-sweep';
import { buildCallback } from '../../functions/providers/callback-builder';
import { waitFor } from '../support/wait-for';

/**
 * Two Twilio subaccounts of the sandbox's main account served by one parent entry (the main account's
 * secret only), through the whole local stack over real HTTP: the receiver fetches each subaccount's
 * auth token from the sandbox's Accounts API with the parent's credentials, and the redactor and the
 * audit act on `/Accounts/{SubaccountSid}/…` with them.
 */
describe('Local stack: Twilio subaccounts under one parent secret', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-subaccounts-'));
  const secrets = generateLocalSecrets();
  const parentBasic = `Basic ${Buffer.from(`${secrets.twilio.accountSid}:${secrets.twilio.authToken}`).toString('base64')}`;
  const logLines: string[] = [];
  let stack: LocalStack;
  const urlOf = (route: string) => `${stack.gateway.origin}/callbacks/${route}`;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, stateDir, secrets, twilioSubaccounts: 2, seed: 3, log: createJsonLogger({ write: (line) => logLines.push(line), level: 'DEBUG' }) });
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('verifies a subaccount\'s callbacks with its own token and redacts its message under its SID with the parent\'s credentials', { timeout: 30_000 }, async () => {
    const [clinic] = stack.subaccounts;
    const { message, deliveries } = await stack.sender.send('twilio', { final: 'delivered', subaccount: { sid: clinic!.sid, callbackUrl: urlOf(clinic!.route) } });
    expect(deliveries.map((d) => d.answered)).toEqual([204, 200]);
    await waitFor(() => message.body === '', 10_000, 'the subaccount\'s message redacted');
    const calls = stack.sandbox.requests.filter((r) => r.path.includes(clinic!.sid));
    expect(calls.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      `GET /twilio/2010-04-01/Accounts/${clinic!.sid}.json`,
      `POST /twilio/2010-04-01/Accounts/${clinic!.sid}/Messages/${message.id}.json`,
    ]);
    for (const call of calls) expect(call.headers.authorization).toBe(parentBasic);
  });

  it('refuses with 403, and enqueues nothing, a callback signed with another subaccount\'s token', { timeout: 30_000 }, async () => {
    const [clinic, other] = stack.subaccounts;
    const message = stack.sandbox.createMessage('twilio', { body: 'Results are ready', status: 'delivered', account: clinic!.sid });
    const otherToken = stack.sandbox.twilioSubaccount(other!.sid)!.authToken;
    const forged = buildCallback(message, 'delivered', urlOf(clinic!.route), {
      twilio: { accountSid: clinic!.sid, authToken: otherToken },
      signalwire: { projectId: '', signingKey: '' },
      vonage: { apiKey: '', signatureSecret: '' },
      carrierx: { callbackToken: '' },
    });
    const answer = await fetch(forged.url, { method: 'POST', headers: forged.headers, body: forged.body });
    expect(answer.status).toBe(403);
    await waitForQueueIdle(stack, 10_000);
    expect(message.body).toBe('Results are ready');
    expect(stack.sandbox.requests.filter((r) => r.path.includes(message.id))).toEqual([]);
    // The pipeline's log says why, and holds neither subaccount's token nor the parent's, nor the signature.
    expect(logLines.some((line) => line.includes('"httpStatus":403') && line.includes(clinic!.route))).toBe(true);
    const tokens = [otherToken, stack.sandbox.twilioSubaccount(clinic!.sid)!.authToken, secrets.twilio.authToken, forged.headers['x-twilio-signature']!];
    for (const token of tokens) expect(logLines.join('\n')).not.toContain(token);
  });

  it('audits each subaccount\'s own message list with the parent\'s credentials', { timeout: 30_000 }, async () => {
    const [, other] = stack.subaccounts;
    stack.sandbox.seedHistory('twilio', { account: other!.sid, count: 3, sentAt: (i) => Date.now() - 3_600_000 * (i + 1), status: 'delivered' });
    const { report } = await runLocalAudit(stack, { route: other!.route });
    expect(report).toMatchObject({ route: other!.route, provider: 'twilio', listed: 3, heldPastRetention: { 'due-not-redacted': 3 }, enqueued: 3 });
    const listing = stack.sandbox.requests.filter((r) => r.method === 'GET' && r.path.includes(`/Accounts/${other!.sid}/Messages.json`));
    expect(listing.length).toBeGreaterThan(0);
    for (const call of listing) expect(call.headers.authorization).toBe(parentBasic);
    await waitForQueueIdle(stack, 10_000);
    await waitFor(() => [...stack.sandbox.messages.values()].filter((m) => m.account === other!.sid && m.seeded === true).every((m) => m.body === ''), 10_000, 'the audit\'s jobs redacted');
  });
});
