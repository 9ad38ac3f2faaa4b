import { silentLogger, type Logger } from '../functions/core/logger';
import type { SweepTotals } from '../functions/core/sweep-page-job';
import { backfillJob } from '../functions/core/sweep-window';
import type { UndiciHttpClient } from '../functions/http/undici-http-client';
import { sweepDepsFromEnv } from '../functions/sweep/sweep-deps';
import { sweepRun } from '../functions/sweep/sweep-run';
import { fileSecretFetch } from './file-secrets';
import { LOCAL_SWEEP_SETTLE_SECONDS, type LocalStack } from './local-stack';

/** Options of {@link runLocalSweep}. */
export interface LocalSweepOptions {
  /** The account to sweep (a route of the local stack, e.g. `local-twilio`). */
  readonly route: string;
  /** Messages created in [since, until) are listed. */
  readonly since: Date;
  /** @default now */
  readonly until?: Date;
  /** Count what would be redacted, enqueue nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Grace left to the callback path: messages due less than this long ago are left to it.
   * @default LOCAL_SWEEP_SETTLE_SECONDS
   */
  readonly settleSeconds?: number;
  /** Called after each page with the totals so far. */
  readonly onPage?: (totals: SweepTotals) => void;
  /** @default silentLogger */
  readonly log?: Logger;
}

/**
 * A backfill over a running local stack, in this process: the sweep's own dependencies built from
 * the stack's environment (its SQS client, its file secrets), the same page loop as
 * `npm run sweep -- backfill`, redaction jobs to the stack's queue. Returns the run's totals.
 */
export async function runLocalSweep(stack: LocalStack, options: LocalSweepOptions): Promise<SweepTotals> {
  const env = { ...stack.env, SWEEP_SETTLE_SECONDS: String(options.settleSeconds ?? LOCAL_SWEEP_SETTLE_SECONDS) };
  const deps = sweepDepsFromEnv(env, { sqs: stack.queues.sqs, dynamodb: stack.coverage.dynamodb, fetchSecret: fileSecretFetch(stack.secretsFile), log: options.log ?? silentLogger });
  const account = deps.accounts.get(options.route);
  if (account === undefined) throw new RangeError(`runLocalSweep: route "${options.route}" is not an account of the local stack`);
  try {
    const first = backfillJob(account, options.since, options.until ?? deps.now(), deps.now(), deps.schedule);
    return await sweepRun(first, deps, {
      ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
      ...(options.onPage === undefined ? {} : { onPage: options.onPage }),
    });
  } finally {
    await (deps.http as UndiciHttpClient).close();
  }
}
