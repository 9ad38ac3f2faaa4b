import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../../functions/core/provider-rules/provider-name';
import { SANDBOX_CARRIERX_PARTNER_SID } from '../../../local/sandbox/carrierx-api';
import { NO_FAULTS } from '../../../local/sandbox/fault-profile';
import { ProviderSandbox, type SandboxCredentials } from '../../../local/sandbox/provider-sandbox';
import { waitFor } from '../../support/wait-for';

const CREDENTIALS: SandboxCredentials = {
  twilio: { accountSid: 'AC' + 'd5'.repeat(16), authToken: 'twilio-api-shapes-token' },
  signalwire: { projectId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', apiToken: 'PT-api-shapes-token' },
  carrierx: { token: 'carrierx-api-shapes-token' },
  vonage: { apiKey: 'f00dcafe', apiSecret: 'vonage-sandbox-secret' },
};
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const DAY = 86_400_000;
const sandbox = new ProviderSandbox({ credentials: CREDENTIALS, seed: 9, now: () => NOW });

beforeAll(() => sandbox.start());
afterAll(() => sandbox.stop());
afterEach(() => {
  sandbox.faults = NO_FAULTS;
  sandbox.concurrencyCap = Number.POSITIVE_INFINITY;
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH: Record<ProviderName, string> = {
  twilio: basic(CREDENTIALS.twilio.accountSid, CREDENTIALS.twilio.authToken),
  'signalwire-compat': basic(CREDENTIALS.signalwire.projectId, CREDENTIALS.signalwire.apiToken),
  'signalwire-rest': basic(CREDENTIALS.signalwire.projectId, CREDENTIALS.signalwire.apiToken),
  carrierx: `Bearer ${CREDENTIALS.carrierx.token}`,
  'vonage-sms': basic(CREDENTIALS.vonage.apiKey, CREDENTIALS.vonage.apiSecret),
  'vonage-messages': basic(CREDENTIALS.vonage.apiKey, CREDENTIALS.vonage.apiSecret),
};

async function call(provider: ProviderName, path: string, init: { method?: string; body?: string; authorization?: string; signal?: AbortSignal } = {}) {
  const response = await fetch(`${sandbox.apiBaseUrl(provider)}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: init.authorization ?? AUTH[provider], 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as any) };
}

/** A request about one message, per provider: the redaction call (or the read CarrierX starts with). */
function messagePath(provider: ProviderName, id: string): { path: string; method: string; body?: string } {
  switch (provider) {
    case 'twilio':
      return { path: `/2010-04-01/Accounts/${CREDENTIALS.twilio.accountSid}/Messages/${id}.json`, method: 'GET' };
    case 'signalwire-compat':
      // A write: SignalWire limits writes only (GET and DELETE are "effectively unlimited").
      return { path: `/api/laml/2010-04-01/Accounts/${CREDENTIALS.signalwire.projectId}/Messages/${id}`, method: 'POST', body: 'Body=' };
    case 'signalwire-rest':
      return { path: `/api/messaging/messages/${id}`, method: 'PATCH', body: '{"body":""}' };
    case 'carrierx':
      return { path: `/sms/messages/${id}`, method: 'GET' };
    case 'vonage-sms':
      return { path: '/v1/redact/transaction', method: 'POST', body: JSON.stringify({ id, product: 'sms', type: 'outbound' }) };
    case 'vonage-messages':
      return { path: '/v1/redact/transaction', method: 'POST', body: JSON.stringify({ id, product: 'messages', type: 'outbound' }) };
  }
}

/** What a request about a message answers when it succeeds: the Redact API's 204, the others' 200. */
const SUCCESS = (provider: ProviderName) => (provider.startsWith('vonage') ? 204 : 200);

/** An RFC 7807 problem as Vonage answers one: a random trace id in `instance`. */
const vonageProblem = (type: string, title: string, detail: string) => ({ type, title, detail, instance: expect.stringMatching(/^[0-9a-f]{32}$/) });
const VONAGE_ERRORS = {
  notFound: (id: string, direction = 'MT') => vonageProblem('https://developer.nexmo.com/api-errors/redact#invalid-id', 'Invalid ID', `ID '${id}' could not be found (type=${direction})`),
  unauthorized: vonageProblem('https://developer.nexmo.com/api-errors#unauthorized', 'Invalid credentials supplied', 'You did not provide correct credentials.'),
  throttled: vonageProblem('https://developer.nexmo.com/api-errors/redact#rate-limit', 'Rate Limit Hit', 'Please wait, then retry your request'),
};

const twilioShape = (status: number, code: number, message: string, moreInfo: string) => ({ code, message, more_info: moreInfo, status });
const SW_ERRORS = 'https://developer.signalwire.com/compatibility-api/reference/error-codes';

/** Each provider's documented error bodies (SignalWire REST 429 and CarrierX texts are not documented). */
const ERRORS: Record<ProviderName, { notFound: (path: string) => unknown; unauthorized: unknown; throttled: unknown }> = {
  twilio: {
    notFound: (path) => twilioShape(404, 20404, `The requested resource ${path} was not found`, 'https://www.twilio.com/docs/errors/20404'),
    unauthorized: twilioShape(401, 20003, 'Authenticate', 'https://www.twilio.com/docs/errors/20003'),
    throttled: twilioShape(429, 20429, 'Too Many Requests', 'https://www.twilio.com/docs/errors/20429'),
  },
  'signalwire-compat': {
    notFound: (path) => twilioShape(404, 20404, `The requested resource ${path} was not found`, SW_ERRORS),
    unauthorized: twilioShape(401, 20003, 'Authenticate', SW_ERRORS),
    throttled: twilioShape(429, 20429, 'Too Many Requests', SW_ERRORS),
  },
  'signalwire-rest': {
    notFound: () => ({ error: 'Not Found' }),
    unauthorized: { error: 'Unauthorized' },
    throttled: {
      errors: [{ type: 'rate_limit', code: 'too_many_requests', message: 'Too many requests', attribute: null, url: 'https://developer.signalwire.com/rest/overview/error-codes#too_many_requests' }],
    },
  },
  carrierx: {
    notFound: () => ({ message: 'object not found', errors: [] }),
    unauthorized: { message: 'unauthorized', errors: [] },
    throttled: { message: 'too many requests', errors: [] },
  },
  'vonage-sms': { notFound: (id) => VONAGE_ERRORS.notFound(id), unauthorized: VONAGE_ERRORS.unauthorized, throttled: VONAGE_ERRORS.throttled },
  'vonage-messages': { notFound: (id) => VONAGE_ERRORS.notFound(id), unauthorized: VONAGE_ERRORS.unauthorized, throttled: VONAGE_ERRORS.throttled },
};

const unknownId = (provider: ProviderName) => (provider === 'twilio' ? 'SM' + '0'.repeat(32) : provider === 'vonage-sms' ? '0C00000000000000' : randomUUID());

describe.each(['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'] as ProviderName[])('Provider sandbox errors: %s', (provider) => {
  it('answers an unknown message with 404 in the provider\'s error shape', async () => {
    const id = unknownId(provider);
    const { path, method, body } = messagePath(provider, id);
    // Vonage names the record, not the path: its Redact API has one path for every record.
    expect(await call(provider, path, { method, ...(body ? { body } : {}) })).toEqual({ status: 404, body: ERRORS[provider].notFound(provider.startsWith('vonage') ? id : path) });
  });

  it('answers wrong credentials with 401 in the provider\'s error shape', async () => {
    const message = sandbox.createMessage(provider, { body: 'x', status: 'delivered' });
    const { path, method, body } = messagePath(provider, message.id);
    const wrong = provider === 'carrierx' ? 'Bearer nope' : basic('nope', 'nope');
    expect(await call(provider, path, { method, authorization: wrong, ...(body ? { body } : {}) })).toEqual({ status: 401, body: ERRORS[provider].unauthorized });
    expect(message.body).toBe('x');
  });

  it('answers 429 above the account\'s concurrency cap, in the provider\'s shape, and counts requests and 429s', async () => {
    sandbox.concurrencyCap = 1;
    sandbox.faults = { ...NO_FAULTS, timeoutRate: 1 };
    const message = sandbox.createMessage(provider, { body: 'x', status: 'delivered' });
    const { path, method, body } = messagePath(provider, message.id);
    const held = new AbortController();
    const pending = call(provider, path, { method, signal: held.signal, ...(body ? { body } : {}) }).catch((error: Error) => error.name);
    await waitFor(() => sandbox.usage(provider).inFlight === 1, 5_000, 'the held request');
    sandbox.faults = NO_FAULTS;
    const before = sandbox.usage(provider);
    expect(await call(provider, path, { method, ...(body ? { body } : {}) })).toEqual({ status: 429, body: ERRORS[provider].throttled });
    expect(sandbox.usage(provider)).toEqual({ requests: before.requests + 1, throttled: before.throttled + 1, inFlight: 1, peakInFlight: 1 });
    held.abort();
    expect(await pending).toBe('AbortError');
    await waitFor(() => sandbox.usage(provider).inFlight === 0, 5_000, 'the slot to be freed');
    expect((await call(provider, path, { method, ...(body ? { body } : {}) })).status).toBe(SUCCESS(provider));
  });
});

describe('Provider sandbox cap on SignalWire', () => {
  it('leaves reads alone: SignalWire limits writes only', async () => {
    sandbox.concurrencyCap = 1;
    sandbox.faults = { ...NO_FAULTS, timeoutRate: 1 };
    const message = sandbox.createMessage('signalwire-compat', { body: 'x', status: 'delivered' });
    const write = messagePath('signalwire-compat', message.id);
    const held = new AbortController();
    const pending = call('signalwire-compat', write.path, { method: write.method, signal: held.signal, body: write.body! }).catch((error: Error) => error.name);
    await waitFor(() => sandbox.usage('signalwire-compat').inFlight === 1, 5_000, 'the held write');
    sandbox.faults = NO_FAULTS;
    expect((await call('signalwire-compat', write.path, { method: 'GET' })).status).toBe(200);
    expect((await call('signalwire-compat', write.path, { method: write.method, body: write.body! })).status).toBe(429);
    held.abort();
    expect(await pending).toBe('AbortError');
    await waitFor(() => sandbox.usage('signalwire-compat').inFlight === 0, 5_000, 'the slot to be freed');
    sandbox.concurrencyCap = Number.POSITIVE_INFINITY;
  });
});

describe('Provider sandbox concurrency ceiling', () => {
  it('is the cap C divided by the latency L', () => {
    sandbox.concurrencyCap = 20;
    sandbox.faults = { ...NO_FAULTS, latencyMs: 50 };
    expect(sandbox.ceilingPerSecond()).toBe(400);
    sandbox.concurrencyCap = Number.POSITIVE_INFINITY;
    expect(sandbox.ceilingPerSecond()).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a cap below 1', () => {
    expect(() => (sandbox.concurrencyCap = 0)).toThrow(new RangeError('concurrencyCap must be at least 1, got 0'));
  });
});

describe('Provider sandbox: Twilio list paging fields', () => {
  it('answers first/next/previous page URIs with PageToken cursors, start, end and page', async () => {
    const day = NOW - 40 * DAY;
    const ids = sandbox.seedHistory('twilio', { count: 5, sentAt: (i) => day + i * 1000, status: 'delivered' }).map((m) => m.id).reverse();
    const base = `/2010-04-01/Accounts/${CREDENTIALS.twilio.accountSid}/Messages.json`;
    const date = new Date(day).toISOString().slice(0, 10);
    const first = await call('twilio', `${base}?DateSent=${date}&PageSize=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      uri: `${base}?DateSent=${date}&PageSize=2`,
      first_page_uri: `${base}?DateSent=${date}&PageSize=2&Page=0`,
      previous_page_uri: null,
      page: 0,
      page_size: 2,
      start: 0,
      end: 1,
    });
    expect(first.body.messages.map((m: { sid: string }) => m.sid)).toEqual(ids.slice(0, 2));
    expect(first.body.next_page_uri).toMatch(new RegExp(`^${base.replace(/\./g, '\\.')}\\?DateSent=${date}&PageSize=2&Page=1&PageToken=PA[\\w-]+$`));

    const second = await call('twilio', first.body.next_page_uri);
    expect(second.body).toMatchObject({ page: 1, start: 2, end: 3 });
    expect(second.body.messages.map((m: { sid: string }) => m.sid)).toEqual(ids.slice(2, 4));
    expect(second.body.previous_page_uri).toMatch(/&Page=0&PageToken=PB[\w-]+$/);
    const back = await call('twilio', second.body.previous_page_uri);
    expect(back.body.messages.map((m: { sid: string }) => m.sid)).toEqual(ids.slice(0, 2));

    const third = await call('twilio', second.body.next_page_uri);
    expect(third.body.messages.map((m: { sid: string }) => m.sid)).toEqual(ids.slice(4));
    expect(third.body.next_page_uri).toBeNull();
  });

  it('refuses a DateSent that is not a date with 400 / 20001', async () => {
    const base = `/2010-04-01/Accounts/${CREDENTIALS.twilio.accountSid}/Messages.json`;
    expect(await call('twilio', `${base}?DateSent%3C=yesterday`)).toEqual({
      status: 400,
      body: twilioShape(400, 20001, 'Invalid value for DateSent<: expected YYYY-MM-DD', 'https://www.twilio.com/docs/errors/20001'),
    });
  });

  it('keeps the messages created while a client pages: a cursor neither skips nor repeats', async () => {
    const day = NOW - 41 * DAY;
    const seeded = sandbox.seedHistory('twilio', { count: 4, sentAt: (i) => day + i * 1000, status: 'delivered' });
    const base = `/2010-04-01/Accounts/${CREDENTIALS.twilio.accountSid}/Messages.json?DateSent=${new Date(day).toISOString().slice(0, 10)}&PageSize=2`;
    const first = await call('twilio', base);
    sandbox.seedHistory('twilio', { count: 1, sentAt: () => day + 10_000, status: 'delivered' }); // newest, lands before the cursor
    const second = await call('twilio', first.body.next_page_uri);
    expect([...first.body.messages, ...second.body.messages].map((m: { sid: string }) => m.sid)).toEqual(seeded.map((m) => m.id).reverse());
  });
});

describe('Provider sandbox: SignalWire compat Status filter', () => {
  it('lists only the messages with the given status', async () => {
    const day = NOW - 42 * DAY;
    const failed = sandbox.seedHistory('signalwire-compat', { count: 3, sentAt: (i) => day + i, status: (i) => (i === 1 ? 'failed' : 'delivered') })[1]!;
    const date = new Date(day).toISOString().slice(0, 10);
    const page = await call('signalwire-compat', `/api/laml/2010-04-01/Accounts/${CREDENTIALS.signalwire.projectId}/Messages?DateSent=${date}&Status=failed`);
    expect(page.body.messages.map((m: { sid: string; error_code: string }) => [m.sid, m.error_code])).toEqual([[failed.id, '30003']]);
    expect(page.body.first_page_uri).toBe(`/api/laml/2010-04-01/Accounts/${CREDENTIALS.signalwire.projectId}/Messages?DateSent=${date}&Status=failed&PageSize=50&Page=0`);
  });
});

describe('Provider sandbox: SignalWire REST message logs', () => {
  const LOG_FIELDS = ['charge', 'charge_details', 'created_at', 'direction', 'error_code', 'error_message', 'from', 'id', 'kind', 'number_of_segments', 'source', 'status', 'to', 'type', 'url'];

  it('pages by links.next within created_after/created_before (whole UTC days), with no body in the entries', async () => {
    const day = NOW - 50 * DAY;
    const seeded = sandbox.seedHistory('signalwire-rest', { count: 5, sentAt: (i) => day + i * DAY, status: 'delivered', body: 'secret body' });
    const after = new Date(day + DAY).toISOString().slice(0, 10);
    const before = new Date(day + 3 * DAY).toISOString().slice(0, 10);
    const seen: any[] = [];
    let next: string | undefined = `/api/messaging/logs?created_after=${after}&created_before=${before}&page_size=2`;
    let pages = 0;
    while (next !== undefined) {
      const page = await call('signalwire-rest', next);
      expect(page.status).toBe(200);
      pages++;
      seen.push(...page.body.data);
      next = page.body.links.next === undefined ? undefined : new URL(page.body.links.next).pathname.replace(/^\/signalwire/, '') + new URL(page.body.links.next).search;
      if (next !== undefined) expect(next).toMatch(/[?&]page_token=PA[\w-]+/);
    }
    expect(pages).toBe(2);
    expect(seen.map((e) => e.id)).toEqual([seeded[3]!.id, seeded[2]!.id, seeded[1]!.id]);
    expect(Object.keys(seen[0]).sort()).toEqual(LOG_FIELDS);
    expect(seen[0]).toMatchObject({ source: 'relay', type: 'relay_message', status: 'delivered', created_at: new Date(day + 3 * DAY).toISOString() });
    expect(JSON.stringify(seen)).not.toContain('secret body');
  });

  it('links each entry to a resource that holds the body, and the body is gone after a redaction', async () => {
    const message = sandbox.seedHistory('signalwire-rest', { count: 1, sentAt: () => NOW - 51 * DAY, status: 'delivered', body: 'read me back' })[0]!;
    const entry = (await call('signalwire-rest', `/api/messaging/logs/${message.id}`)).body;
    const read = async () => {
      const response = await fetch(entry.url, { headers: { authorization: AUTH['signalwire-rest'] } });
      return ((await response.json()) as { body: string }).body;
    };
    expect(await read()).toBe('read me back');
    expect((await call('signalwire-rest', `/api/messaging/messages/${message.id}`, { method: 'PATCH', body: '{"body":""}' })).body).toMatchObject({ id: message.id, body: '' });
    expect(await read()).toBe('');
  });

  it('refuses a created_after that is not a date with 422 in the errors shape', async () => {
    expect(await call('signalwire-rest', '/api/messaging/logs?created_after=soon')).toEqual({
      status: 422,
      body: {
        errors: [
          {
            type: 'validation_error',
            code: 'invalid_parameter',
            message: 'created_after must be a date (YYYY-MM-DD) or an ISO 8601 time',
            attribute: 'created_after',
            url: 'https://developer.signalwire.com/rest/overview/error-codes#invalid_parameter',
          },
        ],
      },
    });
  });
});

describe('Provider sandbox: CarrierX message list', () => {
  it('filters, pages by limit/offset and links the next page', async () => {
    const day = NOW - 60 * DAY;
    const seeded = sandbox.seedHistory('carrierx', { count: 5, sentAt: (i) => day + i * 1000, status: (i) => (i === 2 ? 'queued' : 'delivered') });
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY).toISOString();
    const filter = encodeURIComponent(`date_created ge "${from}" and date_created lt "${to}" and status eq "delivered"`);
    const first = await call('carrierx', `/sms/messages?filter=${filter}&limit=3`);
    expect(first.body).toMatchObject({ count: 3, has_more: true, limit: 3, offset: 0, total: 4 });
    expect(first.body.items.map((m: { message_sid: string }) => m.message_sid)).toEqual([seeded[0]!.id, seeded[1]!.id, seeded[3]!.id]);
    expect(first.body.items[0]).toMatchObject({ partner_sid: SANDBOX_CARRIERX_PARTNER_SID, date_created: from, status: 'delivered', type: 'sms' });
    const next = new URL(first.body.pagination.next);
    const second = await call('carrierx', next.pathname.replace(/^\/carrierx\/core\/v2/, '') + next.search);
    expect(second.body).toMatchObject({ count: 1, has_more: false, offset: 3, total: 4, pagination: { previous: expect.stringContaining('offset=0') } });
    expect(second.body.items.map((m: { message_sid: string }) => m.message_sid)).toEqual([seeded[4]!.id]);
  });

  it('refuses a filter it cannot read with 400 naming the filter', async () => {
    expect(await call('carrierx', `/sms/messages?filter=${encodeURIComponent('status is delivered')}`)).toEqual({
      status: 400,
      body: { message: 'invalid filter', errors: [{ field: 'filter', message: 'expected "<field> <eq|ne|gt|ge|lt|le> <value>" joined by "and"', reference_sid: null }] },
    });
  });
});

describe('Provider sandbox history seeding', () => {
  it('stores messages sent at past times with final statuses, marked as never announced', () => {
    const seeded = sandbox.seedHistory('twilio', { count: 3, sentAt: (i) => new Date(NOW - (i + 1) * DAY), status: (i) => ['delivered', 'undelivered', 'failed'][i]!, body: (i) => `history ${i}` });
    expect(seeded.map((m) => [m.status, m.body, m.dateSent, m.seeded, m.errorCode])).toEqual([
      ['delivered', 'history 0', NOW - DAY, true, undefined],
      ['undelivered', 'history 1', NOW - 2 * DAY, true, 30003],
      ['failed', 'history 2', NOW - 3 * DAY, true, 30003],
    ]);
  });

  it('refuses a time in the future, naming the entry', () => {
    expect(() => sandbox.seedHistory('twilio', { count: 2, sentAt: (i) => NOW + i, status: 'delivered' })).toThrow(new RangeError('seedHistory: sentAt(1) must be a time in the past'));
  });

  it('seeds through POST /_sandbox/history and reports usage through GET /_sandbox/usage', async () => {
    const origin = sandbox.apiBaseUrl('twilio').replace(/\/twilio$/, '');
    const response = await fetch(`${origin}/_sandbox/history`, {
      method: 'POST',
      body: JSON.stringify({ provider: 'carrierx', count: 3, oldest: new Date(NOW - 3 * DAY).toISOString(), newest: new Date(NOW - DAY).toISOString(), statuses: ['delivered', 'sent'] }),
    });
    expect(response.status).toBe(201);
    const { ids, count } = (await response.json()) as { ids: string[]; count: number };
    expect(count).toBe(3);
    expect(ids.map((id) => [sandbox.messages.get(id)!.status, sandbox.messages.get(id)!.dateSent])).toEqual([
      ['delivered', NOW - 3 * DAY],
      ['sent', NOW - 2 * DAY],
      ['delivered', NOW - DAY],
    ]);
    const usage = (await (await fetch(`${origin}/_sandbox/usage`)).json()) as { cap: number | null; accounts: Record<string, { requests: number }> };
    expect(usage.cap).toBeNull();
    expect(usage.accounts[CREDENTIALS.twilio.accountSid]!.requests).toBeGreaterThan(0);
  });

  it.each([
    [{ provider: 'telegraph', count: 1 }, 'provider must be one of twilio, signalwire-compat, signalwire-rest, carrierx, vonage-sms, vonage-messages'],
    [{ provider: 'twilio', count: 0 }, 'count must be a whole number from 1 to 1000000'],
    [{ provider: 'twilio', count: 1, oldest: 'x', newest: 'y' }, 'oldest and newest must be ISO 8601 times'],
    [{ provider: 'twilio', count: 1, oldest: new Date(NOW).toISOString(), newest: new Date(NOW + DAY).toISOString() }, 'newest must be in the past (history is sent before deployment)'],
  ])('refuses a bad history request with 400 and the reason (%j)', async (request, reason) => {
    const origin = sandbox.apiBaseUrl('twilio').replace(/\/twilio$/, '');
    const response = await fetch(`${origin}/_sandbox/history`, { method: 'POST', body: JSON.stringify(request) });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 400, body: { error: reason } });
  });

  it.each(['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'] as const)(
    'creates one %s message at a given status through POST /_sandbox/messages',
    async (provider) => {
      const origin = sandbox.apiBaseUrl('twilio').replace(/\/twilio$/, '');
      const response = await fetch(`${origin}/_sandbox/messages`, { method: 'POST', body: JSON.stringify({ provider, status: 'delivered', media: 1 }) });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { id: string };
      expect(created).toEqual({ provider, id: created.id, status: 'delivered', media: 1 });
      const message = sandbox.messages.get(created.id)!;
      expect([message.provider, message.status, message.media.length, message.body]).toEqual([provider, 'delivered', 1, 'Sandbox message: appointment on Tuesday at 10:00']);
    },
  );

  it('moves a message to a new status through POST /_sandbox/messages/{id}, and says when there is no such message', async () => {
    const origin = sandbox.apiBaseUrl('twilio').replace(/\/twilio$/, '');
    const message = sandbox.createMessage('twilio', { body: 'hello', status: 'queued' });
    const post = async (id: string, body: string) => {
      const response = await fetch(`${origin}/_sandbox/messages/${id}`, { method: 'POST', body });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    expect(await post(message.id, '{"status":"delivered"}')).toEqual({ status: 200, body: { provider: 'twilio', id: message.id, status: 'delivered', media: 0 } });
    expect(message.status).toBe('delivered');
    expect(await post(message.id, '{"status":7}')).toEqual({ status: 400, body: { error: 'body must be {"status": "<lower-case status word>"}' } });
    expect(await post('SMnope', '{"status":"delivered"}')).toEqual({ status: 404, body: { error: 'no message SMnope in the sandbox' } });
  });

  it.each([
    ['{', 'body must be JSON'],
    [JSON.stringify({ provider: 'telegraph' }), 'provider must be one of twilio, signalwire-compat, signalwire-rest, carrierx, vonage-sms, vonage-messages'],
    [JSON.stringify({ provider: 'twilio', status: 'Delivered!' }), 'status must be a lower-case status word'],
    [JSON.stringify({ provider: 'twilio', media: 11 }), 'media must be a whole number from 0 to 10'],
  ])('refuses a bad message request with 400 and the reason (%s)', async (body, reason) => {
    const origin = sandbox.apiBaseUrl('twilio').replace(/\/twilio$/, '');
    const response = await fetch(`${origin}/_sandbox/messages`, { method: 'POST', body });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 400, body: { error: reason } });
  });
});

describe('Provider sandbox: Vonage Redact API', () => {
  const redact = (body: unknown) => call('vonage-sms', '/v1/redact/transaction', { method: 'POST', body: JSON.stringify(body) });

  it('empties an SMS record with 204, as product sms, type outbound', async () => {
    const message = sandbox.createMessage('vonage-sms', { body: 'Vonage body', status: 'delivered' });
    expect(await redact({ id: message.id, product: 'sms', type: 'outbound' })).toEqual({ status: 204, body: undefined });
    expect([message.body, message.redactedAt]).toEqual(['', NOW]);
    // The Reports API then shows the content overwritten, as Vonage writes it.
    const shown = await call('vonage-sms', `/v2/reports/records?${new URLSearchParams({ account_id: CREDENTIALS.vonage.apiKey, product: 'SMS', direction: 'outbound', id: message.id, include_message: 'true' })}`);
    expect(shown.body.records[0].message_body).toBe('REDACTED');
  });

  it('finds a record only under its own product and direction: another one is invalid-id', async () => {
    const sms = sandbox.createMessage('vonage-sms', { body: 'kept', status: 'delivered' });
    const inbound = sandbox.createMessage('vonage-sms', { body: 'inbound kept', status: 'delivered', direction: 'inbound' });
    expect(await redact({ id: sms.id, product: 'messages', type: 'outbound' })).toEqual({ status: 404, body: VONAGE_ERRORS.notFound(sms.id) });
    expect(await redact({ id: sms.id, product: 'sms', type: 'inbound' })).toEqual({ status: 404, body: VONAGE_ERRORS.notFound(sms.id, 'MO') });
    expect(await redact({ id: inbound.id, product: 'sms', type: 'outbound' })).toEqual({ status: 404, body: VONAGE_ERRORS.notFound(inbound.id) });
    expect([sms.body, inbound.body]).toEqual(['kept', 'inbound kept']);
    expect((await redact({ id: inbound.id, product: 'sms', type: 'inbound' })).status).toBe(204);
    expect(inbound.body).toBe('');
  });

  it('refuses an unknown product with 422 invalid-product, and an SMS redaction without type with 422', async () => {
    const message = sandbox.createMessage('vonage-sms', { body: 'kept', status: 'delivered' });
    expect(await redact({ id: message.id, product: 'voice', type: 'outbound' })).toEqual({
      status: 422,
      body: vonageProblem('https://developer.nexmo.com/api-errors/redact#invalid-product', 'Invalid Product', 'The provided product is invalid'),
    });
    expect(await redact({ id: message.id, product: 'sms' })).toEqual({
      status: 422,
      body: vonageProblem('https://developer.nexmo.com/api-errors/redact#invalid-json', 'Invalid JSON', 'type is required for product sms'),
    });
    expect(message.body).toBe('kept');
  });

  it('answers 403 premature-redaction while the "not final yet" fault lasts, then redacts', async () => {
    sandbox.faults = { ...NO_FAULTS, notFinalRate: 1, notFinalAttempts: 1 };
    const message = sandbox.createMessage('vonage-messages', { body: 'too soon', status: 'delivered' });
    expect(await redact({ id: message.id, product: 'messages', type: 'outbound' })).toEqual({
      status: 403,
      body: vonageProblem('https://developer.nexmo.com/api-errors/redact#premature-redaction', 'Premature Redaction', `You must wait 60 minutes before redacting ID '${message.id}'`),
    });
    expect(message.body).toBe('too soon');
    expect((await redact({ id: message.id, product: 'messages', type: 'outbound' })).status).toBe(204);
    expect(message.body).toBe('');
  });
});

describe('Provider sandbox: Vonage Reports API', () => {
  const records = (params: Record<string, string>, authorization?: string) =>
    call('vonage-sms', `/v2/reports/records?${new URLSearchParams(params)}`, authorization === undefined ? {} : { authorization });
  const window = (from: number, to: number, extra: Record<string, string> = {}) => ({
    account_id: CREDENTIALS.vonage.apiKey,
    product: 'SMS',
    direction: 'outbound',
    date_start: new Date(from).toISOString(),
    date_end: new Date(to).toISOString(),
    ...extra,
  });

  it('lists one product and direction by date_received in [date_start, date_end), with the body only when asked', async () => {
    const day = NOW - 70 * DAY;
    const [first, second, third] = sandbox.seedHistory('vonage-sms', { count: 3, sentAt: (i) => day + i * 1000, status: 'delivered', body: 'vonage history' });
    sandbox.seedHistory('vonage-messages', { count: 1, sentAt: () => day + 500, status: 'delivered' });
    sandbox.seedHistory('vonage-sms', { count: 1, sentAt: () => day + 1500, status: 'delivered', direction: 'inbound' });
    const page = await records(window(day, day + 2000));
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ request_status: 'SUCCESS', product: 'SMS', direction: 'outbound', account_id: CREDENTIALS.vonage.apiKey });
    expect(page.body._links.next).toBeUndefined();
    expect(page.body.records.map((r: { message_id: string }) => r.message_id)).toEqual([first!.id, second!.id]);
    expect(page.body.records[0]).toMatchObject({ status: 'delivered', direction: 'outbound', date_received: new Date(day).toISOString().replace(/\.\d{3}Z$/, '+0000') });
    expect(page.body.records[0]).not.toHaveProperty('message_body');
    const withBodies = await records(window(day, day + 3000, { include_message: 'true' }));
    expect(withBodies.body.records.map((r: { message_id: string; message_body: string }) => [r.message_id, r.message_body])).toEqual([
      [first!.id, 'vonage history'],
      [second!.id, 'vonage history'],
      [third!.id, 'vonage history'],
    ]);
  });

  it('pages 1,000 records at a time: TRUNCATED with a next link carrying cursor and iv, then SUCCESS', async () => {
    const day = NOW - 80 * DAY;
    const seeded = sandbox.seedHistory('vonage-messages', { count: 1001, sentAt: (i) => day + i, status: 'read' }).map((m) => m.id);
    const first = await records(window(day, day + DAY, { product: 'MESSAGES' }));
    expect(first.body.request_status).toBe('TRUNCATED');
    expect(first.body.records).toHaveLength(1000);
    const next = new URL(first.body._links.next.href);
    expect([next.searchParams.get('cursor'), next.searchParams.get('iv')].every((v) => v !== null && v !== '')).toBe(true);
    const second = await call('vonage-messages', next.pathname.replace(/^\/vonage/, '') + next.search);
    expect(second.body.request_status).toBe('SUCCESS');
    expect([...first.body.records, ...second.body.records].map((r: { message_id: string }) => r.message_id)).toEqual(seeded);
  });

  it('reads records by id without a date range, naming the ids it does not hold', async () => {
    const [held] = sandbox.seedHistory('vonage-sms', { count: 1, sentAt: () => NOW - 90 * DAY, status: 'expired' });
    const { date_start: _start, date_end: _end, ...byId } = window(0, 0, { id: `${held!.id},0C000000DEADBEEF` });
    const page = await records(byId);
    expect(page.body).toMatchObject({ request_status: 'SUCCESS', ids_not_found: '0C000000DEADBEEF' });
    expect(page.body.records.map((r: { message_id: string; status: string }) => [r.message_id, r.status])).toEqual([[held!.id, 'expired']]);
  });

  it('refuses a synchronous range over 24 hours, a missing direction and another account', async () => {
    const invalid = (detail: string) => ({ status: 400, body: vonageProblem('https://developer.nexmo.com/api-errors/reports#invalid-parameters', 'Invalid parameters', detail) });
    expect(await records(window(NOW - 2 * DAY, NOW - DAY + 1))).toEqual(invalid('date ranges are limited to a window of 24 hours for synchronous queries'));
    const { direction: _direction, ...withoutDirection } = window(NOW - DAY, NOW);
    expect(await records(withoutDirection)).toEqual(invalid('direction is required: inbound or outbound'));
    expect((await records(window(NOW - DAY, NOW, { account_id: 'deadbeef' }))).status).toBe(403);
    expect((await records(window(NOW - DAY, NOW), basic(CREDENTIALS.vonage.apiKey, 'wrong'))).status).toBe(401);
  });
});

describe('Provider sandbox: Vonage SMS and Messages APIs (sending)', () => {
  it('sends an SMS through POST /sms/json with the credentials in the form, answering its message-id', async () => {
    const form = new URLSearchParams({ api_key: CREDENTIALS.vonage.apiKey, api_secret: CREDENTIALS.vonage.apiSecret, from: 'Acme', to: '447700900123', text: 'Your code is 1234' });
    const response = await fetch(`${sandbox.apiBaseUrl('vonage-sms')}/sms/json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    const answer = (await response.json()) as { 'message-count': string; messages: Array<{ 'message-id': string; status: string }> };
    expect([response.status, answer['message-count'], answer.messages[0]!.status]).toEqual([200, '1', '0']);
    const message = sandbox.messages.get(answer.messages[0]!['message-id'])!;
    expect([message.provider, message.status, message.body, message.to]).toEqual(['vonage-sms', 'submitted', 'Your code is 1234', '447700900123']);
    expect(message.id).toMatch(/^[0-9A-F]{16}$/);
    form.set('api_secret', 'wrong');
    const refused = await fetch(`${sandbox.apiBaseUrl('vonage-sms')}/sms/json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(refused.status).toBe(401);
  });

  it('sends through POST /v1/messages (Basic auth), answering 202 with the message_uuid', async () => {
    const sent = await call('vonage-messages', '/v1/messages', { method: 'POST', body: JSON.stringify({ message_type: 'text', channel: 'sms', to: '447700900123', from: 'Acme', text: 'Hello' }) });
    expect(sent.status).toBe(202);
    expect(sandbox.messages.get(sent.body.message_uuid)).toMatchObject({ provider: 'vonage-messages', status: 'submitted', body: 'Hello' });
    const invalid = await call('vonage-messages', '/v1/messages', { method: 'POST', body: JSON.stringify({ message_type: 'text', to: '447700900123' }) });
    expect(invalid.status).toBe(422);
  });
});
