import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listingProviders } from '../../functions/providers';
import type { ListPageQuery } from '../../functions/providers/provider';
import { json, scriptedHttp } from '../support/fake-http';
import { SIGNALWIRE_PROJECT_ID, carrierXSecret, signalWireSecret } from '../support/provider-fixtures';
import { TWILIO_ACCOUNT_SID, sid, twilioSecret } from '../support/twilio-fixtures';

const NOW = new Date('2026-11-30T12:00:00Z');
const BASE = 'https://space.example.test';
const query = (overrides: Partial<ListPageQuery> = {}): ListPageQuery => ({
  from: new Date('2026-11-29T00:00:00Z'),
  to: NOW,
  pageSize: 1000,
  ...overrides,
});
const context = (http: ReturnType<typeof scriptedHttp>) => ({ http, now: () => NOW, apiBaseUrl: BASE });

describe('Object: signalWireRestListing', () => {
  const lister = listingProviders['signalwire-rest'].bindLister(signalWireSecret(), 'sw');

  it('asks for small pages and tests each wanted body through its url: held, empty, or unknown for Relay', async () => {
    const [held, empty, relay, foreign] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const entry = (id: string, url: string | null) => ({ id, status: 'delivered', direction: 'outbound', created_at: '2026-11-30T10:00:00Z', url });
    const http = scriptedHttp((request) => {
      if (request.url.startsWith(`${BASE}/api/messaging/logs`)) {
        return json(200, {
          data: [entry(held, `${BASE}/api/laml/2010-04-01/Accounts/${SIGNALWIRE_PROJECT_ID}/Messages/${held}`), entry(empty, `${BASE}/api/laml/x/${empty}`), entry(relay, null), entry(foreign, `https://elsewhere.test/${foreign}`)],
          links: { next: `${BASE}/api/messaging/logs?page_token=PA1&page_size=100` },
        });
      }
      return json(200, { body: request.url.endsWith(held) ? 'text' : '' });
    });
    const page = await lister.listPage(query(), context(http));
    expect(new URL(http.requests[0]!.url).searchParams.get('page_size')).toBe('100');
    expect(page).toMatchObject({ ok: true, nextCursor: `${BASE}/api/messaging/logs?page_token=PA1&page_size=100` });
    expect(page.ok && page.messages.map((m) => [m.id, m.hasBody])).toEqual([[held, true], [empty, false], [relay, 'unknown'], [foreign, 'unknown']]);
    // Never a request outside the account's space.
    expect(http.requests.every((r) => r.url.startsWith(BASE))).toBe(true);
  });
});

describe('Object: signalWireCompatListing', () => {
  it('follows a next_page_uri with or without .json, and refuses one that leaves the list', async () => {
    const lister = listingProviders['signalwire-compat'].bindLister(signalWireSecret(), 'sw');
    const path = `/api/laml/2010-04-01/Accounts/${SIGNALWIRE_PROJECT_ID}/Messages`;
    const http = scriptedHttp(() => json(200, { messages: [], next_page_uri: null }));
    for (const cursor of [`${path}?PageToken=PA1`, `${path}.json?PageToken=PA1`]) {
      expect(await lister.listPage(query({ cursor }), context(http))).toEqual({ ok: true, messages: [], scanned: 0 });
    }
    expect(await lister.listPage(query({ cursor: `${path}/x/Media?PageToken=PA1` }), context(http))).toMatchObject({ ok: false, outcome: { code: 'foreign-cursor' } });
  });
});

describe('Object: carrierXListing', () => {
  it('reads newest first by offset and stops at the start of the window', async () => {
    const lister = listingProviders.carrierx.bindLister(carrierXSecret(), 'cx');
    const item = (day: string) => ({ message_sid: randomUUID(), status: 'delivered', direction: 'outbound', date_created: `${day}T10:00:00.000Z`, message: 'x', media_urls: [] });
    const http = scriptedHttp(() => json(200, { items: [item('2026-11-30'), item('2026-11-29'), item('2026-11-28')], has_more: true, count: 3, offset: 0, limit: 3 }));
    const page = await lister.listPage(query({ pageSize: 3 }), context(http));
    expect(Object.fromEntries(new URL(http.requests[0]!.url).searchParams)).toEqual({ limit: '3', offset: '0', order: 'date_created desc' });
    // Two in the window; the third is older than its start, so there is no next page.
    expect(page).toMatchObject({ ok: true });
    expect(page.ok && page.messages).toHaveLength(2);
    expect(page.ok && page.nextCursor).toBeUndefined();
  });
});

describe('Object: twilioListing', () => {
  const lister = listingProviders.twilio.bindLister(twilioSecret(), 'tw');
  const rfc = (iso: string) => new Date(iso).toUTCString().replace('GMT', '+0000');
  const message = (iso: string, overrides: Record<string, unknown> = {}) => ({ sid: sid('SM'), status: 'delivered', body: 'x', num_media: '0', direction: 'outbound-api', date_created: rfc(iso), date_sent: rfc(iso), date_updated: rfc(iso), ...overrides });

  it('stops paging once a page reaches before the window (the list is newest first), counts what it read and reads the provider clock', async () => {
    const http = scriptedHttp(() =>
      json(200, { messages: [message('2026-11-30T13:00:00Z'), message('2026-11-29T12:00:00Z'), message('2026-11-28T23:00:00Z')], next_page_uri: '/2010-04-01/Accounts/x/Messages.json?PageToken=PA1' }, { date: 'Mon, 30 Nov 2026 12:00:05 GMT' }),
    );
    const page = await lister.listPage(query(), context(http));
    expect(page).toMatchObject({ ok: true, scanned: 3, serverTime: new Date('2026-11-30T12:00:05Z') });
    expect(page.ok && page.messages).toHaveLength(1);
    expect(page.ok && page.nextCursor).toBeUndefined();
  });

  it('lists and reads a subaccount\'s messages under its own SID with the parent\'s credentials', async () => {
    const subaccountSid = 'AC' + '0a'.repeat(16);
    const found = message('2026-11-30T10:00:00Z');
    const http = scriptedHttp((request) => (request.url.includes('/Messages.json') ? json(200, { messages: [found], next_page_uri: null }) : json(200, found)));
    await lister.listPage(query(), { ...context(http), subaccountSid });
    await lister.fetchMessage!(found.sid, { ...context(http), subaccountSid });
    expect(http.requests.map((r) => new URL(r.url).pathname)).toEqual([
      `/2010-04-01/Accounts/${subaccountSid}/Messages.json`,
      `/2010-04-01/Accounts/${subaccountSid}/Messages/${found.sid}.json`,
    ]);
    const parentBasic = `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${twilioSecret().authToken as string}`).toString('base64')}`;
    expect(http.requests.map((r) => r.headers.authorization)).toEqual([parentBasic, parentBasic]);
  });

  it('reads one message by id in the list\'s shape, and says when the provider has no such message', async () => {
    const found = message('2026-11-30T10:00:00Z', { status: 'sent', body: '' });
    const http = scriptedHttp((request) => (request.url.endsWith(`${found.sid}.json`) ? json(200, found) : json(404, { code: 20404, message: 'not found', status: 404 })));
    const read = await lister.fetchMessage!(found.sid, context(http));
    expect(http.requests[0]!.url).toBe(`${BASE}/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages/${found.sid}.json`);
    expect(read).toMatchObject({ ok: true, message: { id: found.sid, status: 'sent', hasBody: false } });
    expect(await lister.fetchMessage!(sid('SM'), context(http))).toEqual({ ok: true });
    expect(await lister.fetchMessage!('../Calls', context(http))).toMatchObject({ ok: false, outcome: { code: 'invalid-message-id' } });
  });
});

describe('fetchMessage of the other providers', () => {
  it('reads a SignalWire REST log entry and its body; a CarrierX message; both say when it is gone', async () => {
    const id = randomUUID();
    const sw = listingProviders['signalwire-rest'].bindLister(signalWireSecret(), 'sw');
    const swHttp = scriptedHttp((request) => {
      if (request.url === `${BASE}/api/messaging/logs/${id}`) return json(200, { id, status: 'delivered', direction: 'outbound', created_at: '2026-11-30T10:00:00Z', url: `${BASE}/api/laml/m/${id}` });
      if (request.url === `${BASE}/api/laml/m/${id}`) return json(200, { body: 'still here' });
      return json(404, { errors: [] });
    });
    expect(await sw.fetchMessage!(id, context(swHttp))).toMatchObject({ ok: true, message: { id, status: 'delivered', hasBody: true } });
    expect(await sw.fetchMessage!(randomUUID(), context(swHttp))).toEqual({ ok: true });

    const cx = listingProviders.carrierx.bindLister(carrierXSecret(), 'cx');
    const cxHttp = scriptedHttp((request) =>
      request.url.endsWith(`/sms/messages/${id}`)
        ? json(200, { message_sid: id, status: 'delivered', direction: 'outbound', date_created: '2026-11-30T10:00:00.000Z', date_status_changed: '2026-11-30T10:00:09.000Z', message: 'x', media_urls: [] })
        : json(404, { message: 'object not found', errors: [{ field: null, message: 'object not found' }] }),
    );
    expect(await cx.fetchMessage!(id, context(cxHttp))).toMatchObject({ ok: true, message: { id, updatedAt: new Date('2026-11-30T10:00:09Z'), hasBody: true } });
    expect(await cx.fetchMessage!(randomUUID(), context(cxHttp))).toEqual({ ok: true });
  });
});
