import { parseAccounts, indexByRoute } from '../functions/core/config/config';
import { silentLogger } from '../functions/core/telemetry/logger';
import type { RedactionJob } from '../functions/core/redaction/redaction-job';
import { CachedSecretStore } from '../functions/core/secrets/secret-store';
import type { SweepPageJob } from '../functions/core/reconciliation/sweep-page-job';
import { DEFAULT_SWEEP_SCHEDULE } from '../functions/core/reconciliation/sweep-window';
import { UndiciHttpClient } from '../functions/http/undici-http-client';
import { listingProviders } from '../functions/providers';
import { auditFirstJob, auditPage } from '../functions/sweep/audit-run';
import { coveragePage, startCoverageRun, type CoverageDeps } from '../functions/sweep/coverage-run';
import { startLocalCoverageStore } from '../local/local-coverage-store';
import { generateLocalSecrets } from '../local/local-state';
import { NO_FAULTS } from '../local/sandbox/fault-profile';
import { ProviderSandbox } from '../local/sandbox/provider-sandbox';
import type { SandboxMessage } from '../local/sandbox/sandbox-message';
import { median, nowMs, percentile } from './stats';

export interface SweepCoverageOptions {
  /** Messages the account sends in the simulated day. */
  readonly messagesPerDay: number;
  /** Sandbox answer latency L per request, ms. */
  readonly latencyMs: number;
  /** Share of messages still not final when the run after their sending lists them (a late receipt). */
  readonly lateShare: number;
}

export interface SweepCoverageResult {
  readonly messages: number;
  readonly runs: number;
  /** Messages listed in a run's window, per message sent: the windows of consecutive runs meet. */
  readonly listedPerMessage: number;
  /** Entries the provider returned, per message sent (Twilio's day filter and newest-first order read a little past the window). */
  readonly scannedPerMessage: number;
  /** Re-reads by id of messages that were not final when listed, per message sent. */
  readonly recheckedPerMessage: number;
  /** Entries written to the coverage store (messages listed before they were due), per message sent. */
  readonly deferredPerMessage: number;
  /** Median wall ms of one page (list or store phase), the sweep function's duration per invocation here. */
  readonly msPerPage: number;
  readonly pagesPerRun: number;
  /** Wall time of one steady hourly run (list, decide, enqueue), against the sandbox's latency. */
  readonly runSecondsPerHour: number;
  /** The longest a body stayed at the provider after it was due, with every callback lost (sandbox clock). */
  readonly exposureMaxSeconds: number;
  readonly exposureP99Seconds: number;
  /** The audit over the whole day (every message, after the runs): wall time and pages. */
  readonly auditSecondsPerDay: number;
  readonly auditPages: number;
  /** Held bodies it found: must be 0 once the runs are done. */
  readonly auditHeld: number;
  /** Messages due by the last run that were not enqueued: must be 0. */
  readonly missed: number;
  readonly latencyMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROUTE = 'bench-twilio';

/**
 * One simulated day of a Twilio account sending `messagesPerDay` messages (seeded at the sandbox,
 * spread evenly), swept by hourly coverage runs with the default settings on the sandbox's clock:
 * the real run code, the real Twilio list code over HTTP, the coverage store on dynalite. Retention
 * 0 and every callback lost, so each body is the sweep's alone: its exposure is what the schedule
 * gives. A redaction job empties its body at once (the backfill bench measures the redactor side).
 */
export async function measureSweepCoverage(options: SweepCoverageOptions): Promise<SweepCoverageResult> {
  const day0 = Date.parse('2026-11-02T00:00:00Z');
  const state = { clock: day0 + DAY + 2 * HOUR };
  const secrets = generateLocalSecrets();
  const sandbox = new ProviderSandbox({
    credentials: { twilio: secrets.twilio, signalwire: secrets.signalwire, carrierx: { token: secrets.carrierx.token }, vonage: secrets.vonage },
    faults: { ...NO_FAULTS, latencyMs: options.latencyMs },
    now: () => state.clock,
  });
  await sandbox.start(0);
  const coverage = await startLocalCoverageStore();
  const http = new UndiciHttpClient({ timeoutMs: 30_000, connectionsPerOrigin: 4 });
  try {
    const n = options.messagesPerDay;
    const every = Math.max(1, Math.round(1 / options.lateShare));
    const seeded = sandbox.seedHistory('twilio', {
      count: n,
      sentAt: (i) => day0 + Math.floor((i * DAY) / n),
      status: (i) => (i % every === 0 ? 'queued' : 'delivered'),
    });
    // Final a few seconds after sending; the late ones 40 minutes after, once the clock gets there.
    const late: SandboxMessage[] = [];
    const dueAt = new Map<string, number>();
    for (const m of seeded) {
      if (m.status === 'queued') {
        late.push(m);
        dueAt.set(m.id, m.dateSent! + 40 * 60_000);
      } else {
        m.dateUpdated = m.dateSent! + 5_000;
        dueAt.set(m.id, m.dateUpdated);
      }
    }
    const account = parseAccounts([{ route: ROUTE, provider: 'twilio', secretId: 'bench/twilio', apiBaseUrl: sandbox.apiBaseUrl('twilio') }])[0]!;
    const enqueuedAt = new Map<string, number>();
    const deps: CoverageDeps = {
      accounts: indexByRoute([account]),
      listers: listingProviders,
      secrets: new CachedSecretStore({ fetch: async () => JSON.stringify(secrets.twilio), maxAgeMs: 3_600_000 }),
      http,
      jobs: {
        sendBatch: async (batch: readonly RedactionJob[]) => {
          for (const job of batch) {
            if (!enqueuedAt.has(job.messageId)) enqueuedAt.set(job.messageId, state.clock);
            // The redactor, at once (the backfill bench measures that side): the audit then finds the body gone.
            const message = sandbox.messages.get(job.messageId);
            if (message !== undefined) message.body = '';
          }
        },
      },
      now: () => new Date(state.clock),
      log: silentLogger,
      pageSize: 1000,
      coverage: coverage.store,
      schedule: DEFAULT_SWEEP_SCHEDULE,
      maxPagesPerRun: 10_000,
    };
    // The route was deployed before the day began: its checkpoint stands just before midnight (the
    // provider's dates have whole seconds: a message at 00:00:00.4 shows as 00:00:00).
    const midnight = new Date(day0 - 1000).toISOString();
    await coverage.store.writeCheckpoint({ route: ROUTE, listedTo: midnight, dueTo: midnight, checkTo: midnight, completedRuns: 0, version: 1 });

    let listed = 0;
    let scanned = 0;
    let pages = 0;
    let deferred = 0;
    let runs = 0;
    const pageMs: number[] = [];
    const runMs: number[] = [];
    let lastDueBy = 0;
    for (let hour = 1; hour <= 26; hour++) {
      state.clock = day0 + hour * HOUR;
      for (const m of late) {
        if (m.status === 'queued' && dueAt.get(m.id)! <= state.clock) {
          m.status = 'delivered';
          m.dateUpdated = dueAt.get(m.id)!;
        }
      }
      const started = nowMs();
      let job: SweepPageJob | undefined = await startCoverageRun(account, new Date(state.clock), deps);
      while (job !== undefined) {
        const pageStarted = nowMs();
        const result = await coveragePage(job, deps);
        pageMs.push(nowMs() - pageStarted);
        if (result.kind === 'next') {
          job = result.job;
          continue;
        }
        if (result.kind !== 'done') throw new Error(`bench sweep run ended ${result.kind}`);
        listed += result.totals.listed;
        scanned += result.totals.scanned ?? 0;
        pages += result.totals.pages;
        deferred += (result.totals.skipped['deferred-due'] ?? 0) + (result.totals.skipped['deferred-check'] ?? 0);
        runs++;
        lastDueBy = state.clock - DEFAULT_SWEEP_SCHEDULE.settleSeconds * 1000;
        job = undefined;
      }
      // Hours 2-24 are the steady state (hour 1 starts from midnight; 25-26 drain the day's tail).
      if (hour >= 2 && hour <= 24) runMs.push(nowMs() - started);
    }
    // The audit over the day just swept, as the daily schedule would run it (its lookback spans the day).
    const auditStarted = nowMs();
    const auditDeps = { ...deps, evidence: { put: async (key: string) => `memory://${key}` }, auditLookbackSeconds: 26 * 3600 };
    let auditJob = auditFirstJob(account, new Date(state.clock), auditDeps);
    let audit: { pages: number; held: number } | undefined;
    while (audit === undefined) {
      const result = await auditPage(auditJob, auditDeps);
      if (result.kind === 'stopped') throw new Error(`bench audit stopped: ${result.reason}`);
      if (result.kind === 'next') auditJob = result.job;
      else audit = { pages: result.report.pages, held: result.report.heldPastRetention['due-not-redacted'] ?? 0 };
    }
    const auditMs = nowMs() - auditStarted;
    const rechecked = sandbox.requests.filter((r) => r.method === 'GET' && /\/Messages\/[^/]+\.json$/.test(r.path)).length;
    const exposures: number[] = [];
    let missed = 0;
    for (const [id, due] of dueAt) {
      if (due > lastDueBy) continue;
      const at = enqueuedAt.get(id);
      if (at === undefined) missed++;
      else exposures.push((at - due) / 1000);
    }
    exposures.sort((a, b) => a - b);
    return {
      messages: n,
      runs,
      listedPerMessage: listed / n,
      scannedPerMessage: scanned / n,
      recheckedPerMessage: rechecked / n,
      deferredPerMessage: deferred / n,
      msPerPage: median(pageMs),
      pagesPerRun: pages / Math.max(1, runs),
      runSecondsPerHour: runMs.reduce((a, b) => a + b, 0) / Math.max(1, runMs.length) / 1000,
      exposureMaxSeconds: exposures.at(-1) ?? 0,
      exposureP99Seconds: percentile(exposures, 0.99),
      missed,
      auditSecondsPerDay: auditMs / 1000,
      auditPages: audit.pages,
      auditHeld: audit.held,
      latencyMs: options.latencyMs,
    };
  } finally {
    await http.close();
    await coverage.stop();
    await sandbox.stop();
  }
}
