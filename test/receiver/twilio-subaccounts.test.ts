import { describe, expect, it } from 'vitest';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import { HttpTransportError } from '../../functions/core/runtime/errors';
import type { HttpRequest } from '../../functions/core/runtime/http-client';
import { createJsonLogger } from '../../functions/core/telemetry/logger';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { callbackProviders } from '../../functions/providers';
import { signTwilioForm } from '../../functions/providers/twilio-signature';
import { twilioSubaccountTokenFetcher } from '../../functions/providers/twilio';
import { receiveCallback, type IncomingCallback } from '../../functions/receiver/receive-callback';
import { SubaccountSigningSecrets } from '../../functions/receiver/subaccount-signing-secrets';
import { json, scriptedHttp } from '../support/fake-http';
import { PII, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, sid, twilioSecret, twilioStatusParams } from '../support/twilio-fixtures';

/**
 * Twilio subaccounts under one parent secret, through the receiver's core: each subaccount's callbacks
 * are verified with its own auth token, fetched with the parent's credentials
 * (`GET /2010-04-01/Accounts/{SubaccountSid}.json`) and cached; nothing else verifies them.
 */
const PARENT_SECRET_ID = 'message-redactor/twilio-parent';
const SUB_A = 'AC' + '0a'.repeat(16);
const SUB_B = 'AC' + '0b'.repeat(16);
const TOKENS: Record<string, string> = { [SUB_A]: 'sub-a-token-' + 'a'.repeat(20), [SUB_B]: 'sub-b-token-' + 'b'.repeat(20) };
const PARENT_BASIC = `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`;
const URL_BASE = 'https://hooks.example.com/callbacks/';

/** Twilio's Accounts API as the parent sees it: each subaccount's resource, `auth_token` included. */
function twilioAccountsApi(tokens: Record<string, string> = TOKENS) {
  return scriptedHttp((request: HttpRequest) => {
    const sub = /\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\.json$/.exec(request.url)?.[1];
    if (request.headers.authorization !== PARENT_BASIC) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    if (sub === undefined || tokens[sub] === undefined) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    return json(200, { sid: sub, owner_account_sid: TWILIO_ACCOUNT_SID, auth_token: tokens[sub], status: 'active', friendly_name: 'clinic' });
  });
}

function setup(options: { http?: ReturnType<typeof scriptedHttp>; now?: () => number } = {}) {
  const http = options.http ?? twilioAccountsApi();
  const accounts = parseAccounts([{
    provider: 'twilio',
    secretId: PARENT_SECRET_ID,
    subaccounts: [{ route: 'clinic-a', accountSid: SUB_A }, { route: 'clinic-b', accountSid: SUB_B }],
  }]);
  const enqueued: RedactionJob[] = [];
  const lines: string[] = [];
  const deps = {
    accounts: indexByRoute(accounts),
    providers: callbackProviders,
    secrets: { get: async () => twilioSecret(), invalidate() {} },
    queue: { send: async (job: RedactionJob) => void enqueued.push(job) },
    now: () => new Date(),
    log: createJsonLogger({ write: (line) => lines.push(line), level: 'DEBUG' as const }),
    maxBodyBytes: 64 * 1024,
    subaccounts: new SubaccountSigningSecrets({
      fetchToken: twilioSubaccountTokenFetcher(http),
      maxAgeMs: 3_600_000,
      minRefreshIntervalMs: 60_000,
      maxFetchesInFlight: 2,
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
  };
  return { deps, http, enqueued, lines };
}

/** A delivered callback for `route`, from `accountSid`, signed with `token` over the route's URL. */
function callback(route: string, accountSid: string, token: string): IncomingCallback {
  const url = `${URL_BASE}${route}`;
  const params = twilioStatusParams({ AccountSid: accountSid, MessageSid: sid('SM'), Body: PII.body });
  return {
    route,
    method: 'POST',
    receivedUrl: url,
    rawQuery: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioForm(token, url, params) },
    body: Buffer.from(new URLSearchParams(params).toString()),
  };
}

describe('Function: receiveCallback (Twilio subaccounts under one parent secret)', () => {
  it('accepts a subaccount\'s callback signed with its own token, fetched once with the parent\'s credentials', async () => {
    const { deps, http, enqueued } = setup();
    expect(await receiveCallback(callback('clinic-a', SUB_A, TOKENS[SUB_A]!), deps)).toEqual({ statusCode: 200, body: '{"accepted":true}' });
    expect(await receiveCallback(callback('clinic-a', SUB_A, TOKENS[SUB_A]!), deps)).toMatchObject({ statusCode: 200 });
    expect(enqueued.map((job) => job.route)).toEqual(['clinic-a', 'clinic-a']);
    expect(http.requests).toEqual([{
      method: 'GET',
      url: `https://api.twilio.com/2010-04-01/Accounts/${SUB_A}.json`,
      headers: { authorization: PARENT_BASIC, accept: 'application/json' },
    }]);
  });

  it('refuses with 403, enqueuing nothing, a callback signed with another subaccount\'s token', async () => {
    const { deps, enqueued } = setup();
    const answer = await receiveCallback(callback('clinic-a', SUB_A, TOKENS[SUB_B]!), deps);
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ error: 'X-Twilio-Signature does not match (check the account\'s publicUrl and signing secret)' });
    expect(enqueued).toEqual([]);
  });

  it('refuses with 403 another subaccount\'s callback, correctly signed, sent to this subaccount\'s route', async () => {
    const { deps, enqueued } = setup();
    const answer = await receiveCallback(callback('clinic-a', SUB_B, TOKENS[SUB_B]!), deps);
    expect(answer.statusCode).toBe(403);
    expect(enqueued).toEqual([]);
  });

  it('refuses an unsigned callback with 401 before asking Twilio anything', async () => {
    const { deps, http, enqueued } = setup();
    const unsigned = callback('clinic-a', SUB_A, TOKENS[SUB_A]!);
    const { 'x-twilio-signature': _signature, ...headers } = unsigned.headers;
    for (let i = 0; i < 20; i++) expect((await receiveCallback({ ...unsigned, headers }, deps)).statusCode).toBe(401);
    expect(http.requests).toEqual([]);
    expect(enqueued).toEqual([]);
  });

  it('asks Twilio once a minute at most for a subaccount whose token cannot be fetched, however many callbacks come', async () => {
    let now = 1_000_000;
    const { deps, http, enqueued } = setup({ http: twilioAccountsApi({}), now: () => now });
    for (let i = 0; i < 50; i++) expect((await receiveCallback(callback('clinic-a', SUB_A, 'f'.repeat(32)), deps)).statusCode).toBe(500);
    expect(http.requests).toHaveLength(1);
    now += 60_000;
    await receiveCallback(callback('clinic-a', SUB_A, 'f'.repeat(32)), deps);
    expect(http.requests).toHaveLength(2);
    expect(enqueued).toEqual([]);
  });

  it('refuses with 403 a callback signed with the parent\'s own token', async () => {
    const { deps, enqueued } = setup();
    expect((await receiveCallback(callback('clinic-a', SUB_A, TWILIO_AUTH_TOKEN), deps)).statusCode).toBe(403);
    expect(enqueued).toEqual([]);
  });

  it('fetches a token again after a mismatch once it is a minute old (a rotated token), and not sooner', async () => {
    let clock = 1_000_000;
    const tokens = { ...TOKENS };
    const http = twilioAccountsApi(tokens);
    const { deps, enqueued } = setup({ http, now: () => clock });
    expect((await receiveCallback(callback('clinic-a', SUB_A, tokens[SUB_A]!), deps)).statusCode).toBe(200);
    tokens[SUB_A] = 'sub-a-rotated-' + 'c'.repeat(20);
    // Moments later: a forged or rotated signature cannot make the receiver call Twilio again.
    expect((await receiveCallback(callback('clinic-a', SUB_A, tokens[SUB_A]), deps)).statusCode).toBe(403);
    expect(http.requests).toHaveLength(1);
    clock += 60_000;
    expect((await receiveCallback(callback('clinic-a', SUB_A, tokens[SUB_A]), deps)).statusCode).toBe(200);
    expect(http.requests).toHaveLength(2);
    expect(enqueued).toHaveLength(2);
  });

  it('reads the parent\'s secret once more when Twilio refuses it (rotated since it was cached), then accepts', async () => {
    const { deps, http, enqueued } = setup();
    let reads = 0;
    const stale = 'stale-parent-token-' + 's'.repeat(16);
    const rotated = { ...deps, secrets: { get: async () => (++reads === 1 ? twilioSecret({ authToken: stale }) : twilioSecret()), invalidate() {} } };
    expect((await receiveCallback(callback('clinic-a', SUB_A, TOKENS[SUB_A]!), rotated)).statusCode).toBe(200);
    expect(reads).toBe(2);
    expect(http.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${stale}`).toString('base64')}`, PARENT_BASIC]);
    expect(enqueued).toHaveLength(1);
  });

  it.each([
    { name: 'the network fails (retrying can help)', answer: () => new HttpTransportError('timeout'), status: 503, code: 'timeout' },
    { name: 'Twilio answers 5xx', answer: () => json(503, {}), status: 503, code: 'http-503' },
    { name: 'Twilio refuses the parent\'s credentials', answer: () => json(401, { code: 20003 }), status: 500, code: 'http-401' },
    { name: 'the subaccount is not under this parent', answer: () => json(404, { code: 20404 }), status: 500, code: 'http-404' },
    {
      name: 'Twilio answers with another parent\'s account',
      answer: () => json(200, { sid: SUB_A, owner_account_sid: 'AC' + 'ff'.repeat(16), auth_token: TOKENS[SUB_A] }),
      status: 500,
      code: 'not-a-subaccount-of-parent',
    },
  ])('fails closed, enqueuing nothing, when $name', async ({ answer, status, code }) => {
    const { deps, enqueued, lines } = setup({ http: scriptedHttp(answer) });
    const result = await receiveCallback(callback('clinic-a', SUB_A, TOKENS[SUB_A]!), deps);
    expect(result.statusCode).toBe(status);
    expect(enqueued).toEqual([]);
    expect(lines.join('\n')).toContain(`(${code})`);
  });

  it('never logs a subaccount\'s token, the parent\'s, a signature, a body or a number', async () => {
    const { deps, lines } = setup();
    const forged = callback('clinic-a', SUB_A, TOKENS[SUB_B]!);
    await receiveCallback(callback('clinic-a', SUB_A, TOKENS[SUB_A]!), deps);
    await receiveCallback(forged, deps);
    await receiveCallback(callback('clinic-b', SUB_B, TOKENS[SUB_B]!), deps);
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [TOKENS[SUB_A]!, TOKENS[SUB_B]!, TWILIO_AUTH_TOKEN, forged.headers['x-twilio-signature']!, PII.body, PII.from, PII.to]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('Function: parseAccounts (a subaccount SID written in upper case)', () => {
  it('keeps the SID as Twilio writes it, so the callbacks it signs match the account', () => {
    const [account] = parseAccounts([{ provider: 'twilio', secretId: PARENT_SECRET_ID, subaccounts: [{ route: 'upper', accountSid: `AC${SUB_A.slice(2).toUpperCase()}` }] }]);
    expect(account!.subaccountSid).toBe(SUB_A);
  });
});
