import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../../functions/core/provider-rules/provider-name';
import { basicAuth } from '../../../functions/providers/http-helpers';
import { NO_FAULTS } from '../../../local/sandbox/fault-profile';
import { ProviderSandbox, type SandboxCredentials } from '../../../local/sandbox/provider-sandbox';
import { waitFor } from '../../support/wait-for';

const CREDENTIALS: SandboxCredentials = {
  twilio: { accountSid: 'AC' + 'b2'.repeat(16), authToken: 'twilio-token-0123456789' },
  signalwire: { projectId: '5f0c8a1e-2b3d-4c5e-8f9a-0b1c2d3e4f5a', apiToken: 'PT-signalwire-token' },
  carrierx: { token: 'carrierx-bearer-token' },
  vonage: { apiKey: 'f00dcafe', apiSecret: 'vonage-sandbox-secret' },
};
const sandbox = new ProviderSandbox({ credentials: CREDENTIALS, seed: 3 });

beforeAll(() => sandbox.start());
afterAll(() => sandbox.stop());

/** Providers whose list takes a page size from the client (Vonage's Reports API pages by 1,000: sandbox-provider-apis.test.ts). */
type PagedProvider = Exclude<ProviderName, 'vonage-sms' | 'vonage-messages'>;

const AUTH: Record<PagedProvider, string> = {
  twilio: basicAuth(CREDENTIALS.twilio.accountSid, CREDENTIALS.twilio.authToken),
  'signalwire-compat': basicAuth(CREDENTIALS.signalwire.projectId, CREDENTIALS.signalwire.apiToken),
  'signalwire-rest': basicAuth(CREDENTIALS.signalwire.projectId, CREDENTIALS.signalwire.apiToken),
  carrierx: `Bearer ${CREDENTIALS.carrierx.token}`,
};

/** First page URL and how to read ids and the next page from an answer, per provider. */
const LISTS: Record<PagedProvider, { first: string; ids: (body: any) => string[]; next: (body: any) => string | undefined }> = {
  twilio: {
    first: `/2010-04-01/Accounts/${CREDENTIALS.twilio.accountSid}/Messages.json?PageSize=2`,
    ids: (b) => b.messages.map((m: { sid: string }) => m.sid),
    next: (b) => b.next_page_uri ?? undefined,
  },
  'signalwire-compat': {
    first: `/api/laml/2010-04-01/Accounts/${CREDENTIALS.signalwire.projectId}/Messages?PageSize=2`,
    ids: (b) => b.messages.map((m: { sid: string }) => m.sid),
    next: (b) => b.next_page_uri ?? undefined,
  },
  'signalwire-rest': {
    first: '/api/messaging/logs?page_size=2',
    ids: (b) => b.data.map((m: { id: string }) => m.id),
    next: (b) => (b.links.next ? new URL(b.links.next).pathname.replace(/^\/signalwire/, '') + new URL(b.links.next).search : undefined),
  },
  carrierx: {
    first: '/sms/messages?limit=2',
    ids: (b) => b.items.map((m: { message_sid: string }) => m.message_sid),
    next: (b) => (b.has_more ? `/sms/messages?limit=2&offset=${b.offset + b.limit}` : undefined),
  },
};

async function get(provider: PagedProvider, path: string, authorization = AUTH[provider]): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sandbox.apiBaseUrl(provider)}${path}`, { headers: { authorization } });
  return { status: response.status, body: await response.json() };
}

describe.each(['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx'] as PagedProvider[])('Provider sandbox list endpoint: %s', (provider) => {
  it('pages through every message of the provider, in the provider\'s paging style', async () => {
    const created = [1, 2, 3, 4, 5].map(() => sandbox.createMessage(provider, { body: 'x', status: 'delivered' }).id);
    const seen: string[] = [];
    for (let path: string | undefined = LISTS[provider].first; path !== undefined; ) {
      const page = await get(provider, path);
      expect(page.status).toBe(200);
      expect(LISTS[provider].ids(page.body).length).toBeLessThanOrEqual(2);
      seen.push(...LISTS[provider].ids(page.body));
      path = LISTS[provider].next(page.body);
    }
    expect(seen).toEqual(expect.arrayContaining(created));
  });

  it('requires the provider credentials', async () => {
    expect((await get(provider, LISTS[provider].first, 'Basic bm9wZTpub3Bl')).status).toBe(401);
  });
});

describe('Provider sandbox faults', () => {
  afterEach(() => {
    sandbox.faults = NO_FAULTS;
  });

  it('answers 429 with Retry-After or 5xx at the configured rates', async () => {
    sandbox.faults = { ...NO_FAULTS, throttleRate: 0.3, serverErrorRate: 0.3, retryAfterSeconds: 7 };
    const message = sandbox.createMessage('signalwire-rest', { body: 'x', status: 'delivered' });
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    for (let i = 0; i < 60; i++) {
      const response = await fetch(`${sandbox.apiBaseUrl('signalwire-rest')}/api/messaging/messages/${message.id}`, {
        method: 'PATCH',
        headers: { authorization: AUTH['signalwire-rest'], 'content-type': 'application/json' },
        body: '{"body":""}',
      });
      await response.arrayBuffer();
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
    }
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 429]));
    expect(answers.some((a) => a.status >= 500)).toBe(true);
    expect(answers.filter((a) => a.status === 429).every((a) => a.retryAfter === '7')).toBe(true);
  });

  it('holds the request without answering when a timeout is drawn, until the client gives up', async () => {
    sandbox.faults = { ...NO_FAULTS, timeoutRate: 1 };
    const message = sandbox.createMessage('twilio', { body: 'x', status: 'delivered' });
    const path = `/2010-04-01/Accounts/${CREDENTIALS.twilio.accountSid}/Messages/${message.id}.json`;
    const before = sandbox.requests.length;
    const client = new AbortController();
    let settled = false;
    const pending = fetch(`${sandbox.apiBaseUrl('twilio')}${path}`, { headers: { authorization: AUTH.twilio }, signal: client.signal }).then(
      () => ((settled = true), 'answered'),
      (error: Error) => ((settled = true), error.name),
    );
    const held = await waitFor(() => sandbox.requests.slice(before).find((r) => r.path === `/twilio${path}`), 5_000, 'the request to reach the sandbox');
    await waitFor(() => sandbox.usage('twilio').inFlight === 1, 5_000, 'the request to be in flight');
    expect(held.status).toBe(0);
    expect(settled).toBe(false);
    client.abort();
    expect(await pending).toBe('AbortError');
    expect(held.status).toBe(0);
    await waitFor(() => sandbox.usage('twilio').inFlight === 0, 5_000, 'the held request to free its slot');
  });
});
