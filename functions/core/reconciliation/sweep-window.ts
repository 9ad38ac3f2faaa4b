import type { Account } from '../config/config';
import { emptyTotals, SWEEP_PAGE_JOB_VERSION, type SweepPageJob } from './sweep-page-job';

/** How the scheduled sweep slices time. All values in seconds. */
export interface SweepSchedule {
  /** Time between two runs of one account (the schedule's rate). */
  readonly intervalSeconds: number;
  /**
   * How long after a message was sent its status may still turn final. The provider's list is read
   * this far back beyond the retention, so a late delivery receipt is still found.
   */
  readonly lateStatusSeconds: number;
  /**
   * Grace given to the callback path: a message is taken by the sweep only this long after it became
   * due, so the sweep catches what callbacks missed instead of racing them.
   */
  readonly settleSeconds: number;
}

export const DEFAULT_SWEEP_SCHEDULE: SweepSchedule = {
  intervalSeconds: 60 * 60,
  // Twilio waits about an hour for carrier receipts and SignalWire MMS never get one; two days also
  // rides out a provider's own delayed status updates. Older stragglers are what `verify` reports.
  lateStatusSeconds: 48 * 60 * 60,
  settleSeconds: 15 * 60,
};

const SECOND = 1000;

/**
 * The first page of a backfill: every message created in [since, until) that is due by now (less the
 * settle time), whichever run would have had it.
 */
export function backfillJob(account: Account, since: Date, until: Date, now: Date, schedule: SweepSchedule): SweepPageJob {
  const dueBy = new Date(now.getTime() - schedule.settleSeconds * SECOND);
  return {
    v: SWEEP_PAGE_JOB_VERSION,
    runId: `${account.route}:backfill:${dueBy.toISOString()}`,
    route: account.route,
    listFrom: since.toISOString(),
    listTo: until.toISOString(),
    dueBy: dueBy.toISOString(),
    totals: emptyTotals(),
  };
}
