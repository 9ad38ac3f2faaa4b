import { silentLogger, type Logger } from '../functions/core/telemetry/logger';
import type { SweepTotals } from '../functions/core/reconciliation/sweep-page-job';
import { backfillJob } from '../functions/core/reconciliation/sweep-window';
import type { UndiciHttpClient } from '../functions/http/undici-http-client';
import { sweepDepsFromEnv } from '../functions/sweep/sweep-deps';
import { sweepRun, withPageRetries } from '../functions/sweep/sweep-run';
import { auditFirstJob, auditPage } from '../functions/sweep/audit-run';
import type { AuditReport } from '../functions/core/reconciliation/audit-report';
import { fileSecretFetch } from './file-secrets';
import { LOCAL_AWS_CREDENTIALS, LOCAL_SWEEP_SETTLE_SECONDS, type LocalStack } from './local-stack';
import type { DepsOverrides } from '../functions/aws/deps-overrides';

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
  const deps = sweepDepsFromEnv(env, localSweepOverrides(stack, options.log ?? silentLogger));
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

/** The sweep's clients pointed at the local stack: its SQS, its coverage store, its S3 and its secrets file. */
export function localSweepOverrides(stack: LocalStack, log: Logger): DepsOverrides {
  return {
    sqs: stack.queues.sqs,
    dynamodb: stack.coverage.dynamodb,
    s3Endpoint: stack.evidence.endpoint,
    awsCredentials: LOCAL_AWS_CREDENTIALS,
    fetchSecret: fileSecretFetch(stack.secretsFile),
    log,
  };
}

/** Options of {@link runLocalAudit}. */
export interface LocalAuditOptions {
  readonly route: string;
  /** The audit's clock. @default now */
  readonly clock?: Date;
  /** @default silentLogger */
  readonly log?: Logger;
}

/**
 * An audit of one route of a running local stack, in this process: the deployed audit's pages one
 * after the other, its jobs to the stack's queue, its report to the local evidence bucket.
 */
export async function runLocalAudit(stack: LocalStack, options: LocalAuditOptions): Promise<{ report: AuditReport; locations: readonly string[] }> {
  const env = { ...stack.env, SWEEP_SETTLE_SECONDS: String(LOCAL_SWEEP_SETTLE_SECONDS) };
  const deps = sweepDepsFromEnv(env, localSweepOverrides(stack, options.log ?? silentLogger));
  const account = deps.accounts.get(options.route);
  if (account === undefined) throw new RangeError(`runLocalAudit: route "${options.route}" is not an account of the local stack`);
  try {
    let job = auditFirstJob(account, options.clock ?? deps.now(), deps);
    for (;;) {
      const result = await withPageRetries(() => auditPage(job, deps));
      if (result.kind === 'done') return result;
      if (result.kind === 'stopped') throw new Error(`audit of ${options.route} stopped: ${result.reason}`);
      job = result.job;
    }
  } finally {
    await (deps.http as UndiciHttpClient).close();
  }
}
