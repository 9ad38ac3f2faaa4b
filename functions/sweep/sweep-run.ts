import type { SweepPageJob, SweepTotals } from '../core/reconciliation/sweep-page-job';
import { SweepPageError, sweepPage, type SweepDeps, type SweepPageOptions } from './sweep-page';

/** Options of {@link sweepRun}. */
export interface SweepRunOptions extends SweepPageOptions {
  /**
   * Tries per page before a transient failure (provider 5xx, 429, timeout) ends the run.
   * @default 5
   */
  readonly pageAttempts?: number;
  /**
   * Waits between two tries of a page; try n waits `backoffMs * 2^n`.
   * @default 500
   */
  readonly backoffMs?: number;
  /** Called after each page with the run's totals so far (progress displays). */
  readonly onPage?: (totals: SweepTotals) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Retry settings of {@link withPageRetries}. */
export type PageRetryOptions = Pick<SweepRunOptions, 'pageAttempts' | 'backoffMs' | 'sleep'>;

/**
 * Reads a page, retrying a transient failure (a retryable SweepPageError) with backoff; a permanent
 * failure, or the last try, throws.
 */
export async function withPageRetries<T>(read: () => Promise<T>, options: PageRetryOptions = {}): Promise<T> {
  const attempts = options.pageAttempts ?? 5;
  const backoffMs = options.backoffMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof SweepPageError) || !error.retryable || attempt >= attempts) throw error;
      await sleep(backoffMs * 2 ** attempt);
    }
  }
}

/**
 * A whole sweep run in this process, page after page from its first page job, for the command line
 * and local mode (the deployed sweep queues each page instead, so a crash resumes where it stopped).
 */
export async function sweepRun(first: SweepPageJob, deps: SweepDeps, options: SweepRunOptions = {}): Promise<SweepTotals> {
  const pageOptions = options.dryRun === undefined ? {} : { dryRun: options.dryRun };
  let job = first;
  for (;;) {
    const result = await withPageRetries(() => sweepPage(job, deps, pageOptions), options);
    const totals = result.kind === 'next' ? result.job.totals : result.totals;
    options.onPage?.(totals);
    if (result.kind === 'done') return result.totals;
    job = result.job;
  }
}
