import { describe, expect, it } from 'vitest';
import { indexByRoute, parseAccounts } from '../../functions/core/config/config';
import type { HttpRequest } from '../../functions/core/runtime/http-client';
import type { Logger } from '../../functions/core/telemetry/logger';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { CachedSecretStore } from '../../functions/core/secrets/secret-store';
import { emptyTotals, type SweepPageJob } from '../../functions/core/reconciliation/sweep-page-job';
import { listingProviders } from '../../functions/providers';
import { SweepPageError, sweepPage, type SweepDeps } from '../../functions/sweep/sweep-page';
import { sweepRun } from '../../functions/sweep/sweep-run';
import { json, scriptedHttp } from '../support/fake-http';
import { PII, TWILIO_ACCOUNT_SID, sid, twilioAccount, twilioSecret } from '../support/twilio-fixtures';

const NOW = new Date('2026-11-30T12:00:00Z');
const rfc2822 = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000).toUTCString();
const LIST_PATH = `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json`;

/** A Twilio list row, with the PII Twilio really returns. */
const row = (overrides: Record<string, unknown> = {}) => ({
  sid: sid('SM'),
  status: 'delivered',
  body: PII.body,
  from: PII.from,
  to: PII.to,
  num_media: '0',
  direction: 'outbound-api',
  date_created: rfc2822(5),
  date_sent: rfc2822(5),
  date_updated: rfc2822(4),
  ...overrides,
});

function setup(pages: ReadonlyArray<ReturnType<typeof json>>, secretFetches: string[] = []) {
  const http = scriptedHttp((_request, index) => pages[Math.min(index, pages.length - 1)]!);
  const sent: RedactionJob[] = [];
  const logs: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (event, fields) => logs.push(JSON.stringify({ event, ...fields })),
    warn: (event, fields) => logs.push(JSON.stringify({ event, ...fields })),
    error: (event, fields) => logs.push(JSON.stringify({ event, ...fields })),
  } as Logger;
  const deps: SweepDeps = {
    accounts: indexByRoute(parseAccounts([twilioAccount({ apiBaseUrl: 'https://api.example.test' })])),
    listers: listingProviders,
    secrets: new CachedSecretStore({
      fetch: async (id) => {
        secretFetches.push(id);
        return JSON.stringify(twilioSecret());
      },
      maxAgeMs: 60_000,
    }),
    http,
    jobs: { sendBatch: async (jobs) => void sent.push(...jobs) },
    now: () => NOW,
    log,
    pageSize: 1000,
  };
  return { http, sent, logs, deps };
}

const firstPage = (overrides: Partial<SweepPageJob> = {}): SweepPageJob => ({
  v: 1,
  runId: 'run-1',
  route: twilioAccount().route,
  listFrom: new Date(NOW.getTime() - 48 * 3_600_000).toISOString(),
  listTo: NOW.toISOString(),
  dueBy: NOW.toISOString(),
  totals: emptyTotals(),
  ...overrides,
});

describe('Function: sweepPage (Twilio list)', () => {
  it('asks for the window by day, follows next_page_uri, and enqueues only what is due', async () => {
    const due = row();
    const pages = [
      json(200, { messages: [due, row({ status: 'sent' }), row({ body: '' })], next_page_uri: `${LIST_PATH}?PageSize=1000&Page=1&PageToken=PA123` }),
      json(200, { messages: [row({ status: 'received', direction: 'inbound' })], next_page_uri: null }),
    ];
    const { http, sent, deps } = setup(pages);

    const first = await sweepPage(firstPage(), deps);
    const url = new URL(http.requests[0]!.url);
    expect(url.origin + url.pathname).toBe(`https://api.example.test${LIST_PATH}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ 'DateSent>': '2026-11-28', 'DateSent<': '2026-11-30', PageSize: '1000' });
    expect(first.kind).toBe('next');
    if (first.kind !== 'next') return;
    expect(first.job.cursor).toBe(`${LIST_PATH}?PageSize=1000&Page=1&PageToken=PA123`);
    expect(first.job.totals).toEqual({ pages: 1, listed: 3, redact: { delivered: 1 }, skipped: { 'not-terminal': 1, 'body-empty': 1 } });

    const second = await sweepPage(first.job, deps);
    expect(http.requests[1]!.url).toBe(`https://api.example.test${LIST_PATH}?PageSize=1000&Page=1&PageToken=PA123`);
    expect(second).toEqual({ kind: 'done', totals: { pages: 2, listed: 4, redact: { delivered: 1, received: 1 }, skipped: { 'not-terminal': 1, 'body-empty': 1 } } });
    expect(sent.map((job) => [job.messageId, job.status, job.origin])).toEqual([
      [due.sid, 'delivered', 'sweep'],
      [(pages[1]!.body && JSON.parse(pages[1]!.body).messages[0].sid) as string, 'received', 'sweep'],
    ]);
  });

  it('drops messages outside the exact window that the day filter let through', async () => {
    const { sent, deps } = setup([json(200, { messages: [row({ date_sent: rfc2822(60), date_created: rfc2822(60) })], next_page_uri: null })]);
    expect(await sweepPage(firstPage(), deps)).toEqual({ kind: 'done', totals: { ...emptyTotals(), pages: 1 } });
    expect(sent).toEqual([]);
  });

  it('counts but enqueues nothing on a dry run', async () => {
    const { sent, deps } = setup([json(200, { messages: [row(), row()], next_page_uri: null })]);
    const result = await sweepPage(firstPage(), deps, { dryRun: true });
    expect(result).toMatchObject({ kind: 'done', totals: { redact: { delivered: 2 } } });
    expect(sent).toEqual([]);
  });

  it('never puts a body, a number or a token in a job or a log line', async () => {
    const { sent, logs, deps } = setup([json(200, { messages: [row(), row({ status: 'sent' })], next_page_uri: null })]);
    await sweepPage(firstPage(), deps);
    const text = JSON.stringify(sent) + logs.join('\n');
    for (const secret of [PII.body, PII.from, PII.to, twilioSecret().authToken as string]) expect(text).not.toContain(secret);
  });

  it('reads the secret once more after a 401, then fails the page loudly', async () => {
    const fetches: string[] = [];
    const { deps } = setup([json(401, { code: 20003, message: 'Authenticate', status: 401 })], fetches);
    await expect(sweepPage(firstPage(), deps)).rejects.toThrow(new SweepPageError(twilioAccount().route, '20003', false));
    expect(fetches).toHaveLength(2);
  });

  it('fails the page on a provider 5xx so the page job is retried, enqueueing nothing', async () => {
    const { sent, deps } = setup([json(503, { code: 20500, message: 'down', status: 503 })]);
    await expect(sweepPage(firstPage(), deps)).rejects.toBeInstanceOf(SweepPageError);
    expect(sent).toEqual([]);
  });

  it('refuses a cursor that leaves the list resource', async () => {
    const { http, deps } = setup([json(200, { messages: [], next_page_uri: null })]);
    for (const cursor of ['https://evil.example/x', '//evil.example/2010-04-01/x', `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Calls.json?Page=1`]) {
      await expect(sweepPage(firstPage({ cursor }), deps)).rejects.toThrow(/foreign-cursor/);
    }
    expect(http.requests).toEqual([] as HttpRequest[]);
  });
});

describe('Function: sweepRun (the page loop of npm run sweep and local mode)', () => {
  const down = json(503, { code: 20500, message: 'down', status: 503 });

  it('retries a page the provider failed, with backoff, and carries on to the last page', async () => {
    const last = json(200, { messages: [row()], next_page_uri: null });
    const { sent, deps } = setup([json(200, { messages: [row()], next_page_uri: `${LIST_PATH}?PageSize=1000&Page=1&PageToken=PA1` }), down, down, last]);
    const sleeps: number[] = [];
    const seen: number[] = [];
    const totals = await sweepRun(firstPage(), deps, { sleep: async (ms) => void sleeps.push(ms), onPage: (t) => seen.push(t.pages) });
    expect(totals).toEqual({ pages: 2, listed: 2, redact: { delivered: 2 }, skipped: {} });
    expect(sleeps).toEqual([1000, 2000]);
    expect(seen).toEqual([1, 2]);
    expect(sent).toHaveLength(2);
  });

  it('gives up after the last try of a failing page', async () => {
    const { http, deps } = setup([down]);
    const sleeps: number[] = [];
    await expect(sweepRun(firstPage(), deps, { pageAttempts: 3, sleep: async (ms) => void sleeps.push(ms) })).rejects.toThrow(
      new SweepPageError(twilioAccount().route, '20500', true),
    );
    expect(http.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('does not retry what a retry cannot fix (credentials)', async () => {
    const { deps } = setup([json(401, { code: 20003, message: 'Authenticate', status: 401 })]);
    const sleeps: number[] = [];
    await expect(sweepRun(firstPage(), deps, { sleep: async (ms) => void sleeps.push(ms) })).rejects.toThrow(/20003/);
    expect(sleeps).toEqual([]);
  });
});
