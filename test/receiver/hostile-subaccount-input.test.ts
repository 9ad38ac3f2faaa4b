import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import type { HttpRequest } from '../../functions/core/runtime/http-client';
import { createJsonLogger } from '../../functions/core/telemetry/logger';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { callbackProviders } from '../../functions/providers';
import { twilioSubaccountTokenFetcher } from '../../functions/providers/twilio';
import { signTwilioForm } from '../../functions/providers/twilio-signature';
import { receiveCallback } from '../../functions/receiver/receive-callback';
import { SubaccountSigningSecrets } from '../../functions/receiver/subaccount-signing-secrets';
import { json, scriptedHttp } from '../support/fake-http';
import { PII, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, sid, twilioSecret, twilioStatusParams } from '../support/twilio-fixtures';

/**
 * Hostile callbacks against Twilio subaccount routes (fast-check): signed with another subaccount's
 * token, the parent's, or junk, or naming another subaccount's AccountSid. Every one is refused with
 * 401 or 403 and enqueues nothing, no token or signature reaches a log line, and none of them makes
 * the receiver call Twilio beyond the one token fetch per subaccount.
 */
const SUBS = ['AC' + '0a'.repeat(16), 'AC' + '0b'.repeat(16), 'AC' + '0c'.repeat(16)] as const;
const TOKENS: Record<string, string> = Object.fromEntries(SUBS.map((s, i) => [s, `subaccount-token-${i}-${'x'.repeat(16)}`]));
const ROUTES = ['clinic-a', 'clinic-b', 'clinic-c'] as const;
const URL_BASE = 'https://hooks.example.com/callbacks/';

describe('Receiver: hostile callbacks on Twilio subaccount routes (fast-check, 1,500)', () => {
  it('refuses every forged or cross-subaccount callback, enqueues nothing, logs no secret and calls Twilio once per subaccount', async () => {
    const http = scriptedHttp((request: HttpRequest) => {
      const sub = /\/Accounts\/(AC[0-9a-f]{32})\.json$/.exec(request.url)?.[1];
      return sub === undefined ? json(404, { code: 20404 }) : json(200, { sid: sub, owner_account_sid: TWILIO_ACCOUNT_SID, auth_token: TOKENS[sub] });
    });
    const enqueued: RedactionJob[] = [];
    const lines: string[] = [];
    const deps = {
      accounts: indexByRoute(parseAccounts([{ provider: 'twilio', secretId: 'parent', subaccounts: SUBS.map((accountSid, i) => ({ accountSid, route: ROUTES[i] })) }])),
      providers: callbackProviders,
      secrets: { get: async () => twilioSecret(), invalidate() {} },
      queue: { send: async (job: RedactionJob) => void enqueued.push(job) },
      now: () => new Date(),
      log: createJsonLogger({ write: (line) => lines.push(line), level: 'DEBUG' }),
      maxBodyBytes: 64 * 1024,
      subaccounts: new SubaccountSigningSecrets({ fetchToken: twilioSubaccountTokenFetcher(http), maxAgeMs: 3_600_000, minRefreshIntervalMs: 60_000, maxFetchesInFlight: 4 }),
    };
    const signatures: string[] = [];
    const attack = fc.record({
      target: fc.nat({ max: 2 }),
      signer: fc.oneof(fc.constantFrom('other-subaccount', 'parent'), fc.string({ minLength: 1 })),
      claimed: fc.nat({ max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(attack, async ({ target, signer, claimed }) => {
        const route = ROUTES[target]!;
        const url = `${URL_BASE}${route}`;
        const params = twilioStatusParams({ AccountSid: SUBS[claimed]!, MessageSid: sid('SM'), Body: PII.body });
        const key = signer === 'other-subaccount' ? TOKENS[SUBS[(target + 1) % 3]!]! : signer === 'parent' ? TWILIO_AUTH_TOKEN : undefined;
        const signature = key === undefined ? signer : signTwilioForm(key, url, params);
        signatures.push(signature);
        enqueued.length = 0;
        const answer = await receiveCallback({
          route,
          method: 'POST',
          receivedUrl: url,
          rawQuery: '',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: Buffer.from(new URLSearchParams(params).toString()),
        }, deps);
        expect([401, 403]).toContain(answer.statusCode);
        expect(enqueued).toEqual([]);
      }),
      { numRuns: 1_500 },
    );
    expect(http.requests.length).toBeLessThanOrEqual(SUBS.length);
    const log = lines.join('\n');
    for (const secret of [...Object.values(TOKENS), TWILIO_AUTH_TOKEN, PII.body, PII.from, PII.to]) expect(log).not.toContain(secret);
    for (const signature of signatures.filter((s) => s.length >= 12)) expect(log).not.toContain(signature);
  }, 60_000);
});
