import type { CoverageStore } from '../functions/core/reconciliation/coverage-store';
import { silentLogger } from '../functions/core/telemetry/logger';
import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import { DEFAULT_SWEEP_SCHEDULE, type SweepSchedule } from '../functions/core/reconciliation/sweep-window';
import type { UndiciHttpClient } from '../functions/http/undici-http-client';
import { auditFirstJob, auditPage } from '../functions/sweep/audit-run';
import { coveragePage, startCoverageRun } from '../functions/sweep/coverage-run';
import { sweepDepsFromEnv, type SweepFunctionDeps } from '../functions/sweep/sweep-deps';
import { withPageRetries } from '../functions/sweep/sweep-run';
import { ALL_PROVIDERS, deadLetters, waitForQueueIdle } from './demo-run';
import { isDocumentedFinal } from './documented-final-statuses';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from './local-stack';
import { localSweepOverrides } from './local-sweep';
import { seededRandom } from './sandbox/fault-profile';
import { providerStatus, type SandboxMessage } from './sandbox/sandbox-message';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Each local account's retention in this profile, from an hour to a week. Both SignalWire routes read
 * one project's message log, and both Vonage routes one API key's, so each pair keeps bodies equally
 * long (the config refuses anything else).
 */
export const COVERAGE_RETENTION_SECONDS: Readonly<Record<ProviderName, number>> = {
  twilio: 7 * 86_400,
  'signalwire-compat': 3_600,
  'signalwire-rest': 3_600,
  carrierx: 86_400,
  // Past the Redact API's first hour, in which Vonage refuses a redaction as premature.
  'vonage-sms': 2 * 3_600,
  'vonage-messages': 2 * 3_600,
};

/** Providers whose messages go on from `delivered` to `read` (WhatsApp, RCS, Vonage Messages), days later here. */
const READ_RECEIPTS: ReadonlySet<ProviderName> = new Set(['twilio', 'signalwire-rest', 'vonage-messages']);

export interface CoverageChaosOptions {
  /** Messages sent over the simulated days, over every provider. */
  readonly messages: number;
  /** Simulated days the run spans. @default 14 */
  readonly days?: number;
  /** @default 1234 */
  readonly seed?: number;
  /** Off: each run forgets the checkpoint (what the sweep did before it), to show the run then fails. @default true */
  readonly checkpoint?: boolean;
  /** @default '.local-state/chaos-coverage' */
  readonly stateDir?: string;
  /** About once a simulated day: how far the run is. */
  readonly onProgress?: (progress: { readonly day: number; readonly days: number; readonly runs: number; readonly sent: number }) => void;
}

export interface CoverageChaosResult {
  readonly messages: number;
  readonly days: number;
  /** Scheduled runs that completed, over every route, and the ones the schedule skipped. */
  readonly runs: number;
  readonly skippedRuns: number;
  readonly settingChanges: number;
  /** `read` statuses set days after delivery. */
  readonly readStatuses: number;
  /** Final messages past their retention by the last run's due-by (the ones judged). */
  readonly due: number;
  readonly redacted: number;
  readonly deadLettered: number;
  readonly deadLetterReasons: Readonly<Record<string, number>>;
  /** Due, body still there, no dead letter: must be 0. */
  readonly lost: number;
  /** Emptied while not final, or before its retention had run since it became final: must be 0. */
  readonly wronglyRedacted: number;
  /** Bodies the audit reports held past retention, by reason, and the sandbox's own count of them. */
  readonly auditHeld: { readonly dueNotRedacted: number; readonly providerCannotRedact: number };
  readonly sandboxHeld: { readonly dueNotRedacted: number; readonly providerCannotRedact: number };
  readonly durationMs: number;
}

/** A message's life as the run plays it at the provider: when it turns final, and read. */
interface Life {
  readonly message: SandboxMessage;
  readonly provider: ProviderName;
  readonly finalAt?: number;
  /** The status it shows until then, and the one it ends at, in the provider's words. */
  readonly pendingStatus: string;
  readonly finalStatus: string;
  readonly readAt?: number;
}

/**
 * The coverage profile, on the sandbox's clock: the local stack with a retention per account, every
 * callback lost, messages sent over `days` simulated days with late receipts, `read` statuses days
 * after delivery and receipts that never come, while the schedule changes its interval and settle
 * time mid-run and skips a day's runs. The scheduled sweep (the deployed run code, its checkpoint on
 * dynalite) is the only path; at the end the audit runs at the last run's clock. Judged over every
 * message: lost=0, wrongly-redacted=0, and the audit's held count equal to the sandbox's own.
 */
export async function runCoverageChaos(options: CoverageChaosOptions): Promise<CoverageChaosResult> {
  const started = Date.now();
  const days = options.days ?? 14;
  const random = seededRandom(options.seed ?? 1234);
  const sim = { clock: Math.floor(Date.now() / DAY) * DAY - days * DAY };
  const stack = await startLocalStack({
    stateDir: options.stateDir ?? '.local-state/chaos-coverage',
    seed: options.seed ?? 1234,
    sandboxNow: () => sim.clock,
    accountOverrides: Object.fromEntries(ALL_PROVIDERS.map((p) => [p, { redactAfterSeconds: COVERAGE_RETENTION_SECONDS[p] }])),
    maxConcurrency: 2,
  });
  const base = sweepDepsFromEnv(stack.env, localSweepOverrides(stack, silentLogger));
  try {
    const coverage = options.checkpoint === false ? forgetfulStore() : base.coverage;
    // The schedule's story, by simulated day: interval and settle changes, a day of runs skipped.
    const changes: ReadonlyArray<{ day: number; schedule?: Partial<SweepSchedule>; skipHours?: number }> = [
      { day: 2, schedule: { intervalSeconds: 2 * 3600 } },
      { day: 4, schedule: { intervalSeconds: 30 * 60, settleSeconds: 45 * 60 } },
      { day: 5, skipHours: 20 },
      { day: 6, schedule: { intervalSeconds: 3600, settleSeconds: 15 * 60 } },
    ];
    let schedule: SweepSchedule = DEFAULT_SWEEP_SCHEDULE;
    const lives: Life[] = [];
    const finalAt = new Map<string, number>();
    // Sending stops three days before the end: every receipt (at most two days late) has come, and been
    // re-read, by the last run, so every message due by then is judged.
    const sendUntil = sim.clock + (days - 3) * DAY;
    const end = sim.clock + days * DAY;
    const perTick = options.messages / ((sendUntil - sim.clock) / (10 * MINUTE));
    let owed = 0;
    let nextRun = sim.clock + HOUR;
    let runs = 0;
    let skippedRuns = 0;
    let readStatuses = 0;
    let lastRun = { clock: sim.clock, settleSeconds: schedule.settleSeconds };
    for (let tick = 0; sim.clock <= end; tick++, sim.clock += 10 * MINUTE) {
      const day = Math.floor(tick / 144);
      if (tick % 144 === 0) {
        options.onProgress?.({ day, days, runs, sent: lives.length });
        for (const change of changes.filter((c) => c.day === day)) {
          if (change.schedule) schedule = { ...schedule, ...change.schedule };
          if (change.skipHours) {
            skippedRuns += Math.floor((change.skipHours * HOUR) / (schedule.intervalSeconds * 1000));
            nextRun += change.skipHours * HOUR;
          }
        }
      }
      for (owed += sim.clock < sendUntil ? perTick : 0; owed >= 1 && lives.length < options.messages; owed--) lives.push(send(stack, random, sim.clock));
      readStatuses += advance(lives, sim.clock, finalAt);
      if (sim.clock < nextRun) continue;
      nextRun = sim.clock + schedule.intervalSeconds * 1000;
      const deps: SweepFunctionDeps = { ...base, schedule, coverage, now: () => new Date(sim.clock) };
      runs += (await Promise.all(ALL_PROVIDERS.map((p) => scheduledRun(deps, LOCAL_ROUTES[p], new Date(sim.clock))))).filter(Boolean).length;
      lastRun = { clock: sim.clock, settleSeconds: schedule.settleSeconds };
    }
    await waitForQueueIdle(stack, 120_000);
    // Judged before the audit, which also heals: the sweep alone must have left nothing behind.
    const judged = judge(stack, lives, finalAt, lastRun.clock - lastRun.settleSeconds * 1000);

    // The audit at the last run's clock: what it finds held must be what the sandbox holds.
    sim.clock = lastRun.clock;
    // Its lookback covers the whole run, so it reads every message the sandbox judges.
    const auditDeps: SweepFunctionDeps = { ...base, schedule: { ...schedule, settleSeconds: lastRun.settleSeconds }, auditLookbackSeconds: days * 86_400, now: () => new Date(sim.clock) };
    const auditHeld = { dueNotRedacted: 0, providerCannotRedact: 0 };
    for (const provider of ALL_PROVIDERS) {
      let job = auditFirstJob(auditDeps.accounts.get(LOCAL_ROUTES[provider])!, new Date(sim.clock), auditDeps);
      for (;;) {
        const result = await withPageRetries(() => auditPage(job, auditDeps));
        if (result.kind === 'stopped') throw new Error(`coverage chaos: the audit of ${provider} stopped (${result.reason})`);
        if (result.kind === 'next') {
          job = result.job;
          continue;
        }
        auditHeld.dueNotRedacted += result.report.heldPastRetention['due-not-redacted'] ?? 0;
        auditHeld.providerCannotRedact += result.report.heldPastRetention['provider-cannot-redact'] ?? 0;
        break;
      }
    }
    await waitForQueueIdle(stack, 120_000);
    return { ...judged, messages: lives.length, days, runs, skippedRuns, settingChanges: changes.filter((c) => c.schedule).length, readStatuses, auditHeld, durationMs: Date.now() - started };
  } finally {
    await (base.http as UndiciHttpClient).close();
    await stack.stop();
  }
}

/** One scheduled run of a route, page after page; false when the route was busy. */
async function scheduledRun(deps: SweepFunctionDeps, route: string, clock: Date): Promise<boolean> {
  let job = await startCoverageRun(deps.accounts.get(route)!, clock, deps);
  while (job !== undefined) {
    const result = await withPageRetries(() => coveragePage(job!, deps));
    if (result.kind !== 'next') return result.kind === 'done';
    job = result.job;
  }
  return false;
}

/** A message sent now: final within seconds, within the hour, a day or two later, or never; maybe read days on. */
function send(stack: LocalStack, random: () => number, now: number): Life {
  const provider = ALL_PROVIDERS[Math.floor(random() * ALL_PROVIDERS.length)]!;
  const pendingStatus = providerStatus(provider, 'queued');
  const message = stack.sandbox.createMessage(provider, { body: 'Chaos coverage: your code is 424242', status: pendingStatus });
  const roll = random();
  const delay = roll < 0.7 ? random() * 30_000 : roll < 0.9 ? random() * HOUR : roll < 0.97 ? DAY + random() * DAY : undefined;
  const finalStatus = providerStatus(provider, random() < 0.9 ? 'delivered' : 'undelivered');
  const readAt = delay !== undefined && finalStatus === 'delivered' && READ_RECEIPTS.has(provider) && random() < 0.4 ? now + delay + 3 * DAY + random() * DAY : undefined;
  return { message, provider, pendingStatus, finalStatus, ...(delay === undefined ? {} : { finalAt: now + delay }), ...(readAt === undefined ? {} : { readAt }) };
}

/** The provider's side: statuses change when their time comes, and the last-update date moves with them. */
function advance(lives: readonly Life[], now: number, finalAt: Map<string, number>): number {
  let reads = 0;
  for (const life of lives) {
    const m = life.message;
    if (life.finalAt !== undefined && life.finalAt <= now && m.status === life.pendingStatus) {
      m.status = life.finalStatus;
      m.dateUpdated = life.finalAt;
      m.dateStatusChanged = life.finalAt;
      finalAt.set(m.id, life.finalAt);
    }
    if (life.readAt !== undefined && life.readAt <= now && m.status === 'delivered') {
      m.status = 'read';
      m.dateUpdated = life.readAt;
      m.dateStatusChanged = life.readAt;
      reads++;
    }
  }
  return reads;
}

/** Every message judged by the sandbox: due by `dueBy` when final and its retention has run since. */
function judge(stack: LocalStack, lives: readonly Life[], finalAt: ReadonlyMap<string, number>, dueBy: number) {
  const parked = deadLetters(stack);
  const reasons: Record<string, number> = {};
  let due = 0;
  let redacted = 0;
  let deadLettered = 0;
  let lost = 0;
  let wronglyRedacted = 0;
  const sandboxHeld = { dueNotRedacted: 0, providerCannotRedact: 0 };
  for (const { message, provider } of lives) {
    const final = finalAt.get(message.id);
    const retentionMs = COVERAGE_RETENTION_SECONDS[provider] * 1000;
    const documentedFinal = isDocumentedFinal(provider, message.status, message.media.length > 0);
    if (message.redactedAt !== undefined && (!documentedFinal || final === undefined || message.redactedAt < final + retentionMs)) wronglyRedacted++;
    if (final === undefined || final + retentionMs > dueBy) continue;
    due++;
    if (message.body === '') {
      redacted++;
      continue;
    }
    const reason = parked.get(message.id);
    if (provider === 'carrierx') sandboxHeld.providerCannotRedact++;
    else sandboxHeld.dueNotRedacted++;
    if (reason === undefined) lost++;
    else {
      deadLettered++;
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  return { due, redacted, deadLettered, deadLetterReasons: reasons, lost, wronglyRedacted, sandboxHeld };
}

/** The store as the sweep had it before the checkpoint: nothing recorded, so each run plans from its own clock alone. */
function forgetfulStore(): CoverageStore {
  return {
    readCheckpoint: async () => undefined,
    writeCheckpoint: async () => true,
    renewLease: async () => true,
    putDeferred: async () => undefined,
    queryDeferred: async () => ({ entries: [] }),
  };
}

/** The one summary line of the coverage profile. */
export function coverageChaosSummary(r: CoverageChaosResult): string {
  const reasons = Object.entries(r.deadLetterReasons).map(([reason, n]) => `${reason}=${n}`).join(' ') || 'none';
  const held = (h: CoverageChaosResult['auditHeld']) => `${h.dueNotRedacted}+${h.providerCannotRedact}`;
  return (
    `chaos(coverage): messages=${r.messages} days=${r.days} runs=${r.runs} skipped-runs=${r.skippedRuns} setting-changes=${r.settingChanges} read-statuses=${r.readStatuses} ` +
    `due=${r.due} redacted=${r.redacted} dead-lettered=${r.deadLettered} (${reasons}) lost=${r.lost} wrongly-redacted=${r.wronglyRedacted} ` +
    `audit-held=${held(r.auditHeld)} sandbox-held=${held(r.sandboxHeld)} (due-not-redacted+provider-cannot-redact) time=${(r.durationMs / 1000).toFixed(1)}s`
  );
}

/** Whether a coverage run passed: nothing lost or redacted early, and the audit saw what the sandbox holds. */
export function coverageChaosPassed(r: CoverageChaosResult): boolean {
  return r.lost === 0 && r.wronglyRedacted === 0
    && r.auditHeld.dueNotRedacted === r.sandboxHeld.dueNotRedacted && r.auditHeld.providerCannotRedact === r.sandboxHeld.providerCannotRedact;
}
