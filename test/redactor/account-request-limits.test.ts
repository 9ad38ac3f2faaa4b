import { describe, expect, it } from 'vitest';
import { indexByRoute, parseAccounts, type AccountConfigInput } from '../../functions/core/config/config';
import { ConfigError } from '../../functions/core/runtime/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../../functions/core/runtime/http-client';
import { silentLogger } from '../../functions/core/telemetry/logger';
import { DEFAULT_RETRY_POLICY } from '../../functions/core/redaction/retry-policy';
import { CachedSecretStore } from '../../functions/core/secrets/secret-store';
import { redactionProviders } from '../../functions/providers';
import { AccountRequestLimits } from '../../functions/redactor/account-request-limits';
import { processBatch } from '../../functions/redactor/process-batch';
import type { QueueRecord, RedactorDeps } from '../../functions/redactor/process-record';
import { json } from '../support/fake-http';
import { TWILIO_ACCOUNT_SID, TWILIO_ROUTE, sid, twilioAccount, twilioSecret } from '../support/twilio-fixtures';

/**
 * An HttpClient whose answers arrive on a later turn of the event loop, counting the requests in
 * flight at once: what a provider's concurrency cap sees.
 */
function countingHttp(answer: (request: HttpRequest) => HttpResponse) {
  const state = { inFlight: 0, peak: 0, requests: [] as HttpRequest[] };
  const http: HttpClient = {
    async request(request) {
      state.requests.push(request);
      state.inFlight++;
      state.peak = Math.max(state.peak, state.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      state.inFlight--;
      return answer(request);
    },
  };
  return { http, state };
}

/** Twilio as the redactor sees it for an MMS with one media item: POST Body=, GET the media list, DELETE the item. */
function twilioWithOneMedia(request: HttpRequest): HttpResponse {
  if (request.method === 'POST') return json(200, { sid: request.url.split('/').pop()!.replace('.json', ''), body: '' });
  if (request.method === 'GET') return json(200, { media_list: [{ sid: sid('ME') }], next_page_uri: null });
  return { status: 204, headers: {}, body: '' };
}

function depsFor(accounts: readonly AccountConfigInput[], http: HttpClient, requestLimits?: AccountRequestLimits): RedactorDeps {
  const parsed = parseAccounts(accounts);
  return {
    accounts: indexByRoute(parsed),
    providers: redactionProviders,
    secrets: new CachedSecretStore({ fetch: async () => JSON.stringify(twilioSecret()), maxAgeMs: 60_000 }),
    http,
    queue: { changeVisibility: async () => {} },
    deadLetters: { sendDeadLetter: async () => { throw new Error('nothing should be dead-lettered'); } },
    policy: DEFAULT_RETRY_POLICY,
    now: () => new Date(),
    random: () => 0.5,
    log: silentLogger,
    concurrency: 10,
    maxBatchingWindowSeconds: 0,
    invocationReserveMs: 0,
    ...(requestLimits === undefined ? {} : { requestLimits }),
  };
}

/** A deadline no test reaches. */
const FAR_DEADLINE = new Date(Date.now() + 3_600_000);

function mmsRecords(count: number): QueueRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    receiptHandle: `h${i}`,
    receiveCount: 1,
    receivedAt: new Date(),
    body: JSON.stringify({ v: 1, provider: 'twilio', route: TWILIO_ROUTE, messageId: sid('MM'), status: 'delivered', receivedAt: new Date().toISOString(), media: true }),
  }));
}

const SW_PROJECT = '3f6e9d2a-5c1b-4a8e-9f00-1234567890ab';

/** An HttpClient that holds every request until the test answers it. */
function holdingHttp() {
  const held: Array<() => void> = [];
  const http: HttpClient = { request: () => new Promise((resolve) => held.push(() => resolve(json(200, {})))) };
  return { http, held };
}

const ANY_REQUEST: HttpRequest = { method: 'GET', url: 'https://api.twilio.com/2010-04-01/Accounts.json', headers: {} };

/** Lets every started request reach the fake HTTP client. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Class: AccountRequestLimits', () => {
  const account = twilioAccount({ deleteMedia: true, maxConcurrentRequests: 6 });

  it('keeps every request of a batch (redact, media list, media delete) within this environment\'s share', async () => {
    const { http, state } = countingHttp(twilioWithOneMedia);
    const limits = new AccountRequestLimits(parseAccounts([account]), 3);
    const failed = await processBatch(mmsRecords(10), depsFor([account], http, limits), FAR_DEADLINE);
    expect(failed).toEqual([]);
    expect(state.requests.map((r) => r.method).sort()).toEqual([...Array(10).fill('DELETE'), ...Array(10).fill('GET'), ...Array(10).fill('POST')]);
    expect(limits.shareOf(parseAccounts([account])[0]!, twilioSecret())).toBe(2);
    expect(state.peak).toBe(2);
  });

  it('without a limit, the same batch has one request per record in flight', async () => {
    const { http, state } = countingHttp(twilioWithOneMedia);
    expect(await processBatch(mmsRecords(10), depsFor([account], http), FAR_DEADLINE)).toEqual([]);
    expect(state.peak).toBe(10);
  });

  it('gives the routes of one provider account (one SignalWire project) one shared share, and another account its own', async () => {
    const accounts = parseAccounts([
      twilioAccount({ route: 'sw-compat', provider: 'signalwire-compat', secretId: 'sw', maxConcurrentRequests: 4 }),
      twilioAccount({ route: 'sw-rest', provider: 'signalwire-rest', secretId: 'sw', maxConcurrentRequests: 4 }),
      twilioAccount({ maxConcurrentRequests: 4 }),
    ]);
    const limits = new AccountRequestLimits(accounts, 2);
    const held: Array<() => void> = [];
    const { http, state } = countingHttp(() => json(200, {}));
    const holding: HttpClient = { request: (r) => new Promise((resolve) => held.push(() => resolve(http.request(r)))) };
    const request: HttpRequest = { method: 'GET', url: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}`, headers: {} };
    const [compat, rest, twilio] = accounts.map((a) => limits.httpFor(a, holding, a.provider === 'twilio' ? twilioSecret() : { projectId: SW_PROJECT }));
    const calls = [compat, rest, compat, twilio, twilio, twilio].map((client) => client!.request(request));
    await new Promise((resolve) => setImmediate(resolve));
    // Share 2 each: two of the three SignalWire requests and two of the three Twilio requests started.
    expect(held).toHaveLength(4);
    held.splice(0).forEach((answer) => answer());
    await new Promise((resolve) => setImmediate(resolve));
    // The freed slots went to the waiting request of each provider account.
    expect(held).toHaveLength(2);
    held.splice(0).forEach((answer) => answer());
    await Promise.all(calls);
    expect(state.requests).toHaveLength(6);
  });

  it('refuses, as a ConfigError naming both numbers, a limit below maxConcurrency', () => {
    const accounts = parseAccounts([twilioAccount({ maxConcurrentRequests: 4 })]);
    expect(() => new AccountRequestLimits(accounts, 5)).toThrow(ConfigError);
    expect(() => new AccountRequestLimits(accounts, 5)).toThrow(
      `invalid request limits: account ${TWILIO_ROUTE}: maxConcurrentRequests (4) is below maxConcurrency (5)`,
    );
  });
});

describe('Class: AccountRequestLimits (keyed by provider account)', () => {
  it('gives two secrets of one Twilio account (one Account SID) one shared share', async () => {
    const accounts = parseAccounts([
      twilioAccount({ route: 'a', secretId: 'twilio-auth-token', maxConcurrentRequests: 4 }),
      twilioAccount({ route: 'b', secretId: 'twilio-api-key', maxConcurrentRequests: 4 }),
    ]);
    const limits = new AccountRequestLimits(accounts, 2);
    const { http, held } = holdingHttp();
    const [a, b] = accounts.map((account) => limits.httpFor(account, http, twilioSecret()));
    const calls = [a, b, a, b].map((client) => client!.request(ANY_REQUEST));
    await settle();
    expect(held).toHaveLength(2);
    held.splice(0).forEach((answer) => answer());
    await settle();
    expect(held).toHaveLength(2);
    held.splice(0).forEach((answer) => answer());
    await Promise.all(calls);
  });

  it('gives each Twilio subaccount its own share, and holds every subaccount\'s requests inside its parent\'s share too', async () => {
    const subaccounts = ['AC' + '0a'.repeat(16), 'AC' + '0b'.repeat(16)].map((accountSid) => ({ accountSid }));
    const accounts = parseAccounts([{ provider: 'twilio', secretId: 'parent', subaccounts, maxConcurrentRequests: 6 }]);
    const limits = new AccountRequestLimits(accounts, 2);
    const { http, held } = holdingHttp();
    const [subA, subB] = accounts.map((account) => limits.httpFor(account, http, twilioSecret()));
    // Share 3 each (6 / 2 invocations): A's first three hold all three of the parent's slots; A's fourth
    // waits on A's share, B's request on the parent's.
    const calls = [subA, subA, subA, subA, subB].map((client) => client!.request(ANY_REQUEST));
    await settle();
    expect(held).toHaveLength(3);
    expect(limits.shareOf(accounts[0]!, twilioSecret())).toBe(3);
    held.splice(0, 1).forEach((answer) => answer());
    await settle();
    // The freed parent slot goes to B, which waited on it first; A's fourth now waits on the parent.
    expect(held).toHaveLength(3);
    held.splice(0).forEach((answer) => answer());
    await settle();
    held.splice(0).forEach((answer) => answer());
    await settle();
    held.splice(0).forEach((answer) => answer());
    await Promise.all(calls);
  });

  it('lets subaccounts run side by side while the parent\'s share has room', async () => {
    const subaccounts = ['AC' + '0a'.repeat(16), 'AC' + '0b'.repeat(16)].map((accountSid) => ({ accountSid }));
    const accounts = parseAccounts([{ provider: 'twilio', secretId: 'parent', subaccounts, maxConcurrentRequests: 8 }]);
    const limits = new AccountRequestLimits(accounts, 2);
    const { http, held } = holdingHttp();
    const [subA, subB] = accounts.map((account) => limits.httpFor(account, http, twilioSecret()));
    // Share 4 each: two requests of A and one of B all start.
    const calls = [subA, subA, subB].map((client) => client!.request(ANY_REQUEST));
    await settle();
    expect(held).toHaveLength(3);
    held.splice(0).forEach((answer) => answer());
    await Promise.all(calls);
  });
});
