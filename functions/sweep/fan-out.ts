import type { Account } from '../core/config/config';
import { FAN_OUT_CONCURRENCY, FAN_OUT_ROUTES_PER_STEP, type FanOutJob } from '../core/reconciliation/fan-out-job';
import { LOG_EVENTS } from '../core/telemetry/telemetry-names';
import type { SweepFunctionDeps } from './sweep-deps';
import { auditFirstJob } from './audit-run';
import { startCoverageRun } from './coverage-run';

/**
 * One step of a schedule's fan-out: starts the run of the next {@link FAN_OUT_ROUTES_PER_STEP}
 * accounts (config order) on the schedule's clock and returns the step after it, if any accounts are
 * left. One schedule serves every account however many there are; a step that fails is retried by
 * the page queue, and a route it had already started is busy (its lease) or deduplicated (its first
 * page's id), so nothing starts twice.
 */
export async function fanOutStep(job: FanOutJob, deps: SweepFunctionDeps): Promise<FanOutJob | undefined> {
  const accounts = [...deps.accounts.values()];
  const step = accounts.slice(job.from, job.from + FAN_OUT_ROUTES_PER_STEP);
  const clock = new Date(job.time);
  const start = async (account: Account): Promise<void> => {
    if (job.run === 'audit') {
      await deps.pages.send(auditFirstJob(account, clock, deps));
      return;
    }
    const first = await startCoverageRun(account, clock, deps);
    if (first === undefined) return;
    await deps.pages.send(first);
    deps.log.info(LOG_EVENTS.sweepStarted, { route: account.route, provider: account.provider, runId: first.runId });
  };
  for (let i = 0; i < step.length; i += FAN_OUT_CONCURRENCY) {
    const results = await Promise.allSettled(step.slice(i, i + FAN_OUT_CONCURRENCY).map(start));
    const failed = results.find((result) => result.status === 'rejected');
    // The whole step is retried: the others of this step are started already and will not start twice.
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }
  const next = job.from + step.length;
  return next < accounts.length ? { ...job, from: next } : undefined;
}
