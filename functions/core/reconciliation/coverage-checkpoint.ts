import type { Account } from '../config/config';
import type { SweepSchedule } from './sweep-window';

/**
 * What one route's scheduled runs have covered, as the checkpoint store holds it. Three frontiers,
 * each only ever moved forward by a run that finished its last page:
 * - `listedTo`: every message the provider's list dates at or before it has been listed once;
 * - `dueTo`: every deferred message whose retention started at or before it has been enqueued;
 * - `checkTo`: every deferred re-check scheduled at or before it has been done.
 * A run covers exactly from these to its own bounds, so a changed setting, a missed run or a crash
 * never leaves a slice behind: the next run starts where the last finished one stopped.
 */
export interface CoverageCheckpoint {
  readonly route: string;
  readonly listedTo: string;
  readonly dueTo: string;
  readonly checkTo: string;
  /** Runs that finished, for the operator's eye. */
  readonly completedRuns: number;
  /** The run holding the route, while one does. Only its pages may list, and only it may advance. */
  readonly run?: RunLease;
  /** Optimistic-locking counter: every write names the version it read. */
  readonly version: number;
}

/** A run's claim on its route: it expires, so a run that died is taken over by the next one. */
export interface RunLease {
  readonly runId: string;
  readonly leaseUntil: string;
}

/** One run's bounds, fixed when it starts and carried by each of its page jobs. */
export interface CoveragePlan {
  readonly route: string;
  readonly runId: string;
  /** The run's clock (the schedule's event time: AWS's clock, never a laptop's). */
  readonly clock: string;
  /** Messages listed with a list date in (listFrom, listTo]. */
  readonly listFrom: string;
  readonly listTo: string;
  /** Redacted when due at or before this instant (the clock less the settle time). */
  readonly dueBy: string;
  /** Deferred messages whose retention started in (dueFrom, dueTo] are enqueued. */
  readonly dueFrom: string;
  readonly dueTo: string;
  /** Deferred re-checks scheduled in (checkFrom, checkTo] are done. */
  readonly checkFrom: string;
  readonly checkTo: string;
}

const SECOND = 1000;

/** The longest a run may hold its route without renewing (each page renews it). */
export function leaseSecondsFor(schedule: SweepSchedule): number {
  return Math.max(15 * 60, 2 * schedule.intervalSeconds);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The later of two ISO instants: a frontier never moves back. */
function later(a: string, bMs: number): string {
  return Date.parse(a) >= bMs ? a : iso(bMs);
}

/**
 * The bounds of a run starting at `clock`. Without a checkpoint (a new route) the run takes the last
 * interval; what was sent before the deployment is the audit's and a backfill's.
 */
export function planCoverageRun(
  checkpoint: CoverageCheckpoint | undefined,
  account: Account,
  clock: Date,
  schedule: SweepSchedule,
): CoveragePlan {
  const clockMs = clock.getTime();
  const dueByMs = clockMs - schedule.settleSeconds * SECOND;
  const retentionMs = account.redactAfterSeconds * SECOND;
  const first = dueByMs - schedule.intervalSeconds * SECOND;
  const listFrom = checkpoint?.listedTo ?? iso(first);
  const dueFrom = checkpoint?.dueTo ?? iso(first - retentionMs);
  const checkFrom = checkpoint?.checkTo ?? iso(first);
  return {
    route: account.route,
    runId: `${account.route}:${iso(clockMs)}`,
    clock: iso(clockMs),
    listFrom,
    listTo: later(listFrom, dueByMs),
    dueBy: iso(dueByMs),
    dueFrom,
    // A retention made longer leaves this below dueFrom: nothing is due yet, and nothing is skipped.
    dueTo: later(dueFrom, dueByMs - retentionMs),
    checkFrom,
    checkTo: later(checkFrom, dueByMs),
  };
}

/** The checkpoint a run claims its route with (same frontiers, this run's lease). */
export function claimedCheckpoint(
  checkpoint: CoverageCheckpoint | undefined,
  plan: CoveragePlan,
  leaseUntil: Date,
): CoverageCheckpoint {
  return {
    route: plan.route,
    listedTo: checkpoint?.listedTo ?? plan.listFrom,
    dueTo: checkpoint?.dueTo ?? plan.dueFrom,
    checkTo: checkpoint?.checkTo ?? plan.checkFrom,
    completedRuns: checkpoint?.completedRuns ?? 0,
    run: { runId: plan.runId, leaseUntil: leaseUntil.toISOString() },
    version: (checkpoint?.version ?? 0) + 1,
  };
}

/** The checkpoint once the run's last page is done: every frontier at the run's bounds, no lease. */
export function completedCheckpoint(claimed: CoverageCheckpoint, plan: CoveragePlan): CoverageCheckpoint {
  return {
    route: claimed.route,
    listedTo: plan.listTo,
    dueTo: plan.dueTo,
    checkTo: plan.checkTo,
    completedRuns: claimed.completedRuns + 1,
    version: claimed.version + 1,
  };
}

/** Why a run may not start: another one holds the route and its lease has not run out. */
export function busyLease(checkpoint: CoverageCheckpoint | undefined, now: Date): RunLease | undefined {
  const run = checkpoint?.run;
  return run !== undefined && Date.parse(run.leaseUntil) > now.getTime() ? run : undefined;
}
