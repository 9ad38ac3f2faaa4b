import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexByRoute, parseAccounts, type Account, type AccountConfigInput } from '../../functions/core/config/config';
import { createJsonLogger, silentLogger } from '../../functions/core/telemetry/logger';
import type { RedactionJob } from '../../functions/core/redaction/redaction-job';
import { CachedSecretStore } from '../../functions/core/secrets/secret-store';
import type { SweepPageJob } from '../../functions/core/reconciliation/sweep-page-job';
import { DEFAULT_SWEEP_SCHEDULE, type SweepSchedule } from '../../functions/core/reconciliation/sweep-window';
import { UndiciHttpClient } from '../../functions/http/undici-http-client';
import { listingProviders } from '../../functions/providers';
import { auditFirstJob, auditPage } from '../../functions/sweep/audit-run';
import { coveragePage, startCoverageRun, type CoverageDeps, type CoveragePageResult } from '../../functions/sweep/coverage-run';
import { startLocalCoverageStore, type LocalCoverageStore } from '../../local/local-coverage-store';
import { generateLocalSecrets } from '../../local/local-state';
import { isFinalAtProvider } from '../../local/sandbox-ground-truth';
import { seededRandom } from '../../local/sandbox/fault-profile';
import { ProviderSandbox } from '../../local/sandbox/provider-sandbox';
import type { SandboxMessage } from '../../local/sandbox/sandbox-message';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-02T00:00:00Z');
const ROUTE = 'sim-twilio';

/** A provider account on a simulated clock, its coverage store, and the sweep's real run code over both. */
interface Simulation {
  clock: number;
  readonly sandbox: ProviderSandbox;
  readonly coverage: LocalCoverageStore;
  readonly http: UndiciHttpClient;
  /** When each message became final (first final status), for judging. */
  readonly finalAt: Map<string, number>;
  /** Messages enqueued for redaction, with the clock and the retention in force at the time. */
  readonly enqueued: Array<{ messageId: string; at: number; retentionSeconds: number }>;
  schedule: SweepSchedule;
  retentionSeconds: number;
}

const secrets = generateLocalSecrets();
let sim: Simulation;

beforeAll(async () => {
  const state = { clock: T0 };
  const sandbox = new ProviderSandbox({
    credentials: { twilio: secrets.twilio, signalwire: secrets.signalwire, carrierx: { token: secrets.carrierx.token }, vonage: secrets.vonage },
    now: () => state.clock,
  });
  await sandbox.start(0);
  const coverage = await startLocalCoverageStore();
  sim = Object.assign(state, {
    sandbox,
    coverage,
    http: new UndiciHttpClient({ timeoutMs: 10_000, connectionsPerOrigin: 4 }),
    finalAt: new Map<string, number>(),
    enqueued: [] as Simulation['enqueued'],
    schedule: DEFAULT_SWEEP_SCHEDULE,
    retentionSeconds: 7 * 86_400,
  }) as Simulation;
});

afterAll(async () => {
  await sim.http.close();
  await sim.sandbox.stop();
  await sim.coverage.stop();
});

function account(overrides: Partial<AccountConfigInput> = {}): Account {
  return parseAccounts([
    { route: ROUTE, provider: 'twilio', secretId: 'sim/twilio', apiBaseUrl: sim.sandbox.apiBaseUrl('twilio'), redactAfterSeconds: sim.retentionSeconds, ...overrides },
  ])[0]!;
}

function deps(overrides: Partial<CoverageDeps> = {}): CoverageDeps {
  return {
    accounts: indexByRoute([account()]),
    listers: listingProviders,
    secrets: new CachedSecretStore({ fetch: async () => JSON.stringify(secrets.twilio), maxAgeMs: 60_000 }),
    http: sim.http,
    jobs: {
      sendBatch: async (batch: readonly RedactionJob[]) => {
        for (const job of batch) {
          sim.enqueued.push({ messageId: job.messageId, at: sim.clock, retentionSeconds: sim.retentionSeconds });
          // The redactor, at once: the provider empties the body.
          const message = sim.sandbox.messages.get(job.messageId);
          if (message !== undefined && message.body !== '') {
            message.body = '';
            message.redactedAt = sim.clock;
          }
        }
      },
    },
    now: () => new Date(sim.clock),
    log: silentLogger,
    pageSize: 1000,
    coverage: sim.coverage.store,
    schedule: sim.schedule,
    maxPagesPerRun: 1000,
    ...overrides,
  };
}

/** One scheduled run at the current clock, page after page, as the page queue would carry it. */
async function scheduledRun(d: CoverageDeps = deps(), stopAfterPages = Infinity): Promise<CoveragePageResult | 'busy'> {
  let job: SweepPageJob | undefined = await startCoverageRun(d.accounts.get(ROUTE)!, new Date(sim.clock), d);
  if (job === undefined) return 'busy';
  for (let page = 0; ; page++) {
    if (page >= stopAfterPages) return { kind: 'next', job };
    const result = await coveragePage(job, d);
    if (result.kind !== 'next') return result;
    job = result.job;
  }
}

/** A message sent now; it turns final `finalAfter` ms later (or never), and `read` `readAfter` ms after that. */
interface Plan {
  readonly message: SandboxMessage;
  readonly finalAt?: number;
  readonly finalStatus: string;
  readonly readAt?: number;
}

function send(random: () => number): Plan {
  const message = sim.sandbox.createMessage('twilio', { body: 'Your code is PLANTED-BODY-7731', status: 'sent' });
  const roll = random();
  // Most land within seconds, some within the hour, a few after a day; some never get a receipt.
  const delay = roll < 0.7 ? random() * 30_000 : roll < 0.9 ? random() * HOUR : roll < 0.97 ? DAY + random() * DAY : undefined;
  const finalStatus = random() < 0.9 ? 'delivered' : 'undelivered';
  const readAt = finalStatus === 'delivered' && delay !== undefined && random() < 0.3 ? sim.clock + delay + 3 * DAY + random() * DAY : undefined;
  return { message, finalStatus, ...(delay === undefined ? {} : { finalAt: sim.clock + delay }), ...(readAt === undefined ? {} : { readAt }) };
}

/** Applies the status changes whose time has come, as the provider would (its last-update date moves). */
function advanceStatuses(plans: readonly Plan[]): void {
  for (const plan of plans) {
    const m = plan.message;
    if (plan.finalAt !== undefined && plan.finalAt <= sim.clock && m.status === 'sent') {
      m.status = plan.finalStatus;
      m.dateUpdated = plan.finalAt;
      sim.finalAt.set(m.id, plan.finalAt);
    }
    if (plan.readAt !== undefined && plan.readAt <= sim.clock && m.status === 'delivered') {
      m.status = 'read';
      m.dateUpdated = plan.readAt;
    }
  }
}

describe('Coverage runs over a provider on a simulated clock', () => {
  it('refuse to act on a clock a day ahead of the provider\'s: nothing enqueued, nothing stored, the checkpoint where it was, an alarmed stop', async () => {
    sim.clock = Date.parse('2026-10-01T12:00:00Z');
    const route = 'fast-clock';
    const acct = account({ route, redactAfterSeconds: 0 });
    const lines: Array<Record<string, unknown>> = [];
    const jobs: RedactionJob[] = [];
    const d = deps({
      accounts: indexByRoute([acct]),
      jobs: { sendBatch: async (batch) => void jobs.push(...batch) },
      log: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
    });
    sim.sandbox.seedHistory('twilio', { count: 5, sentAt: (i) => sim.clock - 30 * MINUTE + i * 1000, status: 'delivered' });
    const before = await sim.coverage.store.readCheckpoint(route);
    const job = await startCoverageRun(acct, new Date(sim.clock + DAY), d);
    expect(await coveragePage(job!, d)).toEqual({ kind: 'stopped', reason: 'clock-ahead' });
    expect(jobs).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ event: 'sweep.run-stopped', reason: 'clock-ahead', SweepRunsStopped: 1 });
    const after = await sim.coverage.store.readCheckpoint(route);
    expect({ listedTo: after?.listedTo, dueTo: after?.dueTo, completedRuns: after?.completedRuns }).toEqual({ listedTo: before?.listedTo ?? job!.coverage!.plan.listFrom, dueTo: before?.dueTo ?? job!.coverage!.plan.dueFrom, completedRuns: 0 });
    // The audit refuses the same clock.
    const auditDeps = { ...d, evidence: { put: async (key: string) => key }, auditLookbackSeconds: 86_400 };
    expect(await auditPage(auditFirstJob(acct, new Date(sim.clock + DAY), auditDeps), auditDeps)).toEqual({ kind: 'stopped', reason: 'clock-ahead' });
    expect(jobs).toEqual([]);
  });

  it('leave no due message behind and redact none early through setting changes, a missed day, late statuses and a crash, listing each message once', async () => {
    const random = seededRandom(7);
    const plans: Plan[] = [];
    // The schedule's changes, each from a day on: interval, settle, retention.
    const changes: Array<{ day: number; schedule?: Partial<SweepSchedule>; retentionSeconds?: number; skipHours?: number }> = [
      { day: 2, schedule: { intervalSeconds: 2 * 3600 } },
      { day: 3, schedule: { intervalSeconds: 30 * 60, settleSeconds: 45 * 60 } },
      { day: 4, schedule: { settleSeconds: 15 * 60 } },
      { day: 5, skipHours: 20 },
      { day: 7, retentionSeconds: 5 * 86_400 },
      { day: 9, retentionSeconds: 6 * 86_400, schedule: { intervalSeconds: 3600 } },
    ];
    let nextRun = T0 + HOUR;
    let crashed = false;
    const logged: string[] = [];
    const log = createJsonLogger({ write: (line) => logged.push(line) });
    const end = T0 + 16 * DAY;
    let lastDueBy = 0;
    let runs = 0;
    let listed = 0;
    for (sim.clock = T0; sim.clock <= end; sim.clock += 5 * MINUTE) {
      const day = Math.floor((sim.clock - T0) / DAY);
      if (sim.clock < T0 + 12 * DAY) for (let i = 0; i < 2; i++) plans.push(send(random));
      advanceStatuses(plans);
      for (const change of changes) {
        if (change.day !== day || sim.clock !== T0 + day * DAY) continue;
        if (change.schedule) sim.schedule = { ...sim.schedule, ...change.schedule };
        if (change.retentionSeconds !== undefined) sim.retentionSeconds = change.retentionSeconds;
        if (change.skipHours !== undefined) nextRun += change.skipHours * HOUR;
      }
      if (sim.clock < nextRun) continue;
      nextRun = sim.clock + sim.schedule.intervalSeconds * 1000;
      // One run dies after its first page on day 6: its lease keeps the next run out, then runs out.
      const dieEarly = !crashed && day === 6;
      const result = await scheduledRun(deps({ log }), dieEarly ? 1 : Infinity);
      if (dieEarly) crashed = true;
      if (result !== 'busy' && result.kind === 'done') {
        runs++;
        listed += result.totals.listed;
        lastDueBy = sim.clock - sim.schedule.settleSeconds * 1000;
      }
    }
    expect(runs).toBeGreaterThan(200);

    const retentionMs = sim.retentionSeconds * 1000;
    let due = 0;
    const lost: string[] = [];
    // Enqueued while not final, or before the retention in force then had passed since it became final.
    const early = sim.enqueued.filter(({ messageId, at, retentionSeconds }) => {
      const finalAt = sim.finalAt.get(messageId);
      return finalAt === undefined || at < finalAt + retentionSeconds * 1000;
    });
    for (const { message } of plans) {
      const finalAt = sim.finalAt.get(message.id);
      if (message.redactedAt !== undefined) expect(isFinalAtProvider(message)).toBe(true);
      if (finalAt !== undefined && finalAt + retentionMs <= lastDueBy) {
        due++;
        if (message.body !== '') lost.push(message.id);
      }
    }
    expect(due).toBeGreaterThan(1000);
    expect({ lost: lost.length, early: early.length }).toEqual({ lost: 0, early: 0 });
    // Each message was enqueued once, when it became due: not once per run.
    expect(sim.enqueued.length).toBeLessThanOrEqual(due + 10);
    // Every message sent is listed once: the windows of consecutive runs meet and never overlap.
    expect(listed).toBe(plans.length);

    // The store holds ids, statuses and instants: never the body or a number the sandbox planted.
    const items = await sim.coverage.dynamodb.send(new ScanCommand({ TableName: sim.coverage.tableName }));
    expect(items.Items!.length).toBeGreaterThan(100);
    const stored = JSON.stringify(items.Items);
    for (const planted of ['PLANTED-BODY', 'Your code', '+1500555', '+1415555']) expect(stored).not.toContain(planted);
    // Nor do the runs' log lines and jobs.
    expect(logged.length).toBeGreaterThan(runs);
    for (const text of [logged.join('\n'), JSON.stringify(sim.enqueued)]) {
      for (const planted of ['PLANTED-BODY', 'Your code', '+1500555', '+1415555', secrets.twilio.authToken]) expect(text).not.toContain(planted);
    }
  });
});
