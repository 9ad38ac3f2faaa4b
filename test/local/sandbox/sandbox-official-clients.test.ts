import { createRequire } from 'node:module';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_FAULTS } from '../../../local/sandbox/fault-profile';
import { ProviderSandbox, type SandboxCredentials } from '../../../local/sandbox/provider-sandbox';
import { waitFor } from '../../support/wait-for';

/**
 * The official clients are the oracle: `twilio` (6.3) and `@signalwire/compatibility-api` run against
 * the sandbox with nothing changed but their API base URL, and every call a developer makes works.
 */

const CREDENTIALS: SandboxCredentials = {
  twilio: { accountSid: 'AC' + 'c4'.repeat(16), authToken: 'twilio-official-client-token' },
  signalwire: { projectId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', apiToken: 'PT-official-client-token' },
  carrierx: { token: 'carrierx-official-client-token' },
  vonage: { apiKey: 'f00dcafe', apiSecret: 'vonage-sandbox-secret' },
};

const require = createRequire(import.meta.url);
const signalwire = require('@signalwire/compatibility-api') as { RestClient: (project: string, token: string, options: { signalwireSpaceUrl: string }) => twilio.Twilio };

/** Twilio's Message resource fields (twilio-node's MessageInstance reads each of them). */
const MESSAGE_FIELDS = [
  'account_sid', 'api_version', 'body', 'date_created', 'date_sent', 'date_updated', 'direction', 'error_code', 'error_message', 'from',
  'messaging_service_sid', 'num_media', 'num_segments', 'price', 'price_unit', 'sid', 'status', 'subresource_uris', 'to', 'uri',
];
const MEDIA_FIELDS = ['account_sid', 'content_type', 'date_created', 'date_updated', 'parent_sid', 'sid', 'uri'];

interface ClientCase {
  readonly name: 'twilio' | 'signalwire-compat';
  /** The official client, pointed at the sandbox by its base URL only. */
  readonly client: (sandbox: ProviderSandbox, token?: string) => twilio.Twilio;
  readonly account: string;
  readonly refusal: { readonly status: number; readonly code: number | string };
  readonly moreInfo: (code: number) => string;
}

const CLIENTS: ClientCase[] = [
  {
    name: 'twilio',
    client: (sandbox, token = CREDENTIALS.twilio.authToken) => {
      const client = twilio(CREDENTIALS.twilio.accountSid, token);
      client.api.baseUrl = sandbox.apiBaseUrl('twilio');
      return client;
    },
    account: CREDENTIALS.twilio.accountSid,
    refusal: { status: 400, code: 30400 },
    moreInfo: (code) => `https://www.twilio.com/docs/errors/${code}`,
  },
  {
    name: 'signalwire-compat',
    client: (sandbox, token = CREDENTIALS.signalwire.apiToken) => {
      const client = signalwire.RestClient(CREDENTIALS.signalwire.projectId, token, { signalwireSpaceUrl: 'example.signalwire.com' });
      client.api.baseUrl = sandbox.apiBaseUrl('signalwire-compat');
      return client;
    },
    account: CREDENTIALS.signalwire.projectId,
    refusal: { status: 422, code: 'body_must_be_empty' },
    moreInfo: () => 'https://developer.signalwire.com/compatibility-api/reference/error-codes',
  },
];

const DAY = 86_400_000;

describe.each(CLIENTS)('Provider sandbox with the official $name client', ({ name, client: makeClient, account, refusal, moreInfo }) => {
  const sandbox = new ProviderSandbox({ credentials: CREDENTIALS, seed: 5 });
  let client: twilio.Twilio;

  beforeAll(async () => {
    await sandbox.start();
    client = makeClient(sandbox);
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    sandbox.faults = NO_FAULTS;
    sandbox.concurrencyCap = Number.POSITIVE_INFINITY;
  });

  it('creates a message and fetches it back with every field of the official resource', async () => {
    const created = await client.messages.create({ to: '+14155550100', from: '+15005550006', body: 'Your code is 481516', statusCallback: 'https://example.test/cb' });
    expect(created.status).toBe('queued');
    expect(sandbox.messages.get(created.sid)).toMatchObject({ provider: name, body: 'Your code is 481516', status: 'queued', to: '+14155550100', statusCallback: 'https://example.test/cb' });

    const fetched = await client.messages(created.sid).fetch();
    const stored = sandbox.messages.get(created.sid)!;
    const wholeSecond = Math.floor(stored.dateCreated! / 1000) * 1000;
    expect(fetched.toJSON()).toMatchObject({ sid: created.sid, accountSid: account, body: 'Your code is 481516', direction: 'outbound-api', apiVersion: '2010-04-01', errorCode: null, errorMessage: null, messagingServiceSid: null, priceUnit: 'USD' });
    expect([fetched.dateCreated.getTime(), fetched.dateSent.getTime(), fetched.dateUpdated.getTime()]).toEqual([wholeSecond, wholeSecond, wholeSecond]);
    const raw = (await (await fetch(`${sandbox.apiBaseUrl(name)}${created.uri}`, { headers: { authorization: authorization(name) } })).json()) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(MESSAGE_FIELDS);
    expect(raw.date_created).toBe(new Date(wholeSecond).toUTCString().replace('GMT', '+0000'));
  });

  it('refuses a create without a recipient with Twilio\'s error 21604', async () => {
    await expect(client.messages.create({ to: '', from: '+15005550006', body: 'x' })).rejects.toMatchObject({
      status: 400,
      code: 21604,
      message: "A 'To' phone number is required.",
      moreInfo: moreInfo(21604),
    });
  });

  it('redacts a message with update({ body: "" }) and refuses any other body', async () => {
    const message = sandbox.createMessage(name, { body: 'Call me at 555-0100', status: 'delivered' });
    await expect(client.messages(message.id).update({ body: 'not empty' })).rejects.toMatchObject({ status: refusal.status, code: refusal.code });
    expect(message.body).toBe('Call me at 555-0100');
    const redacted = await client.messages(message.id).update({ body: '' });
    expect(redacted.body).toBe('');
    expect(message.body).toBe('');
    expect((await client.messages(message.id).fetch()).body).toBe('');
  });

  it('removes a message; fetching it then fails with 404 / 20404 in Twilio\'s error shape', async () => {
    const message = sandbox.createMessage(name, { body: 'to delete', status: 'delivered' });
    expect(await client.messages(message.id).remove()).toBe(true);
    expect(sandbox.messages.has(message.id)).toBe(false);
    await expect(client.messages(message.id).fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
      moreInfo: moreInfo(20404),
      message: expect.stringContaining(`/Messages/${message.id}.json was not found`),
    });
  });

  it('lists media, fetches one with the official fields, removes it', async () => {
    const message = sandbox.createMessage(name, { body: 'photo', status: 'delivered', media: 2 });
    const media = await client.messages(message.id).media.list();
    expect(media.map((m) => m.sid)).toEqual(message.media);
    const one = await client.messages(message.id).media(message.media[0]!).fetch();
    expect(one.toJSON()).toMatchObject({ sid: message.media[0], parentSid: message.id, accountSid: account, contentType: 'image/jpeg' });
    const raw = (await (await fetch(`${sandbox.apiBaseUrl(name)}${one.uri}`, { headers: { authorization: authorization(name) } })).json()) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(MEDIA_FIELDS);
    const [first, second] = message.media;
    expect(await client.messages(message.id).media(first!).remove()).toBe(true);
    expect((await client.messages(message.id).media.list()).map((m) => m.sid)).toEqual([second]);
    await expect(client.messages(message.id).media(first!).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('pages through more than one page with each(), newest first, following next_page_uri', async () => {
    const day = Date.UTC(2026, 0, 10); // a day of its own: only these messages were sent on it
    const seeded = sandbox.seedHistory(name, { count: 7, sentAt: (i) => day + 3_600_000 + i * 60_000, status: 'delivered' });
    const before = sandbox.requests.length;
    const seen: string[] = [];
    // `done` is how both clients (twilio-node 6 and the v3 fork SignalWire ships) report the end.
    await new Promise<void>((resolve, reject) => {
      client.messages.each({ dateSent: new Date(day), pageSize: 3, done: (error?: Error) => (error ? reject(error) : resolve()) }, (message) => {
        seen.push(message.sid);
      });
    });
    expect(seen).toEqual(seeded.map((m) => m.id).reverse());
    const pages = sandbox.requests.slice(before).filter((r) => r.method === 'GET');
    expect(pages).toHaveLength(3);
    expect(pages.map((r) => new URL(r.path, 'http://x').searchParams.get('Page'))).toEqual([null, '1', '2']);
    expect(pages.slice(1).every((r) => /[?&]PageToken=PA/.test(r.path))).toBe(true);
  });

  it('filters on DateSent, DateSent< and DateSent> by UTC day, both bounds inclusive', async () => {
    const first = Date.UTC(2026, 1, 1);
    const seeded = sandbox.seedHistory(name, { count: 4, sentAt: (i) => first + i * DAY + 23 * 3_600_000, status: 'undelivered' });
    const ids = (list: Array<{ sid: string }>) => list.map((m) => m.sid).sort();
    const window = await client.messages.list({ dateSentAfter: new Date(first + DAY), dateSentBefore: new Date(first + 2 * DAY) });
    expect(ids(window)).toEqual([seeded[1]!.id, seeded[2]!.id].sort());
    expect(ids(await client.messages.list({ dateSent: new Date(first + 3 * DAY) }))).toEqual([seeded[3]!.id]);
  });

  it('answers a wrong token with 401 / 20003', async () => {
    await expect(makeClient(sandbox, 'wrong-token').messages.list({ limit: 1 })).rejects.toMatchObject({ status: 401, code: 20003, moreInfo: moreInfo(20003) });
  });

  it('answers 429 / 20429 to a request over the account\'s concurrency cap, and counts it', async () => {
    sandbox.concurrencyCap = 2;
    sandbox.faults = { ...NO_FAULTS, timeoutRate: 1 }; // the next requests are held: they keep their slots
    const message = sandbox.createMessage(name, { body: 'busy', status: 'delivered' });
    const url = `${sandbox.apiBaseUrl(name)}/2010-04-01/Accounts/${account}/Messages/${message.id}.json`;
    const held = [new AbortController(), new AbortController()];
    // Writes: SignalWire's cap covers writes only (GET and DELETE are "effectively unlimited").
    const pending = held.map((c) =>
      fetch(url, { method: 'POST', headers: { authorization: authorization(name), 'content-type': 'application/x-www-form-urlencoded' }, body: 'Body=', signal: c.signal }).catch((e: Error) => e.name));
    await waitFor(() => sandbox.usage(name).inFlight === 2, 5_000, 'two held requests');
    sandbox.faults = NO_FAULTS;
    const before = sandbox.usage(name);

    await expect(client.messages(message.id).update({ body: '' })).rejects.toMatchObject({ status: 429, code: 20429, message: 'Too Many Requests', moreInfo: moreInfo(20429) });
    expect(sandbox.usage(name)).toMatchObject({ requests: before.requests + 1, throttled: before.throttled + 1, inFlight: 2, peakInFlight: 2 });

    for (const c of held) c.abort();
    expect(await Promise.all(pending)).toEqual(['AbortError', 'AbortError']);
    await waitFor(() => sandbox.usage(name).inFlight === 0, 5_000, 'the held requests to free their slots');
    expect((await client.messages(message.id).fetch()).sid).toBe(message.id);
  });
});

function authorization(provider: 'twilio' | 'signalwire-compat'): string {
  const [user, password] = provider === 'twilio' ? [CREDENTIALS.twilio.accountSid, CREDENTIALS.twilio.authToken] : [CREDENTIALS.signalwire.projectId, CREDENTIALS.signalwire.apiToken];
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
