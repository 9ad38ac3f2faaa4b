import { ACCOUNTS_ENV, SWEEP_ENV } from '../functions/core/config/lambda-env';
import { parseAccounts, type Account } from '../functions/core/config/config';
import { silentLogger } from '../functions/core/telemetry/logger';
import { redactCount } from '../functions/core/reconciliation/sweep-page-job';
import { backfillJob } from '../functions/core/reconciliation/sweep-window';
import { heldPastRetention, newVerifyReport, recordListedMessage, type VerifyReport } from '../functions/core/reconciliation/verify-report';
import type { DepsOverrides } from '../functions/aws/deps-overrides';
import { listingProviders } from '../functions/providers';
import type { UndiciHttpClient } from '../functions/http/undici-http-client';
import { sweepDepsFromEnv, type SweepFunctionDeps } from '../functions/sweep/sweep-deps';
import { auditFirstJob, auditPage } from '../functions/sweep/audit-run';
import { readListPage } from '../functions/sweep/sweep-page';
import { sweepRun, withPageRetries } from '../functions/sweep/sweep-run';
import { dateFlag, formatTable, parseCliArgs, processIo, progressLine, runCli, UsageError, type CliIo } from './kit';
import { findAccount, resolveTarget, TARGET_OPTIONS, TARGET_USAGE, type Target, type TargetFlags } from './target';

export const SWEEP_USAGE = `Reconciliation over the provider's own message list (npm run sweep -- <command> [options])

Commands:
  backfill --route R --since DATE [--until DATE] [--dry-run]
      Enqueue a redaction for every finished message created in the window that is past its
      retention and still holds a body (history from before deployment, missed callbacks).
      --dry-run counts what would be redacted, per status, and enqueues nothing.
  verify --route R --since DATE [--until DATE] [--json]
      The ground-truth report from the provider's list: per status, how many messages still hold a
      body, how many of those are past their retention, and the oldest (ids only). Exit 1 if any
      message past its retention still holds a body.

  audit [--route R] [--json]
      The scheduled audit, now: reads each account's list (or R's) over its retention plus the
      lookback, writes the evidence report (JSON and CSV) to the evidence bucket, enqueues every body
      held past its retention that can be redacted, and prints where the reports went. Exit 1 if a
      body the pipeline could have redacted was held past its retention.

  DATE is YYYY-MM-DD (midnight UTC) or an ISO-8601 time with a zone; --until defaults to now.

  --help                           this text

A deployed stack needs --accounts, and --queue-url for backfill and audit, --evidence-bucket for audit.

${TARGET_USAGE}`;

/** Runs one sweep command; returns the exit code. */
export async function runSweepCli(argv: readonly string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli('sweep', SWEEP_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      route: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...TARGET_OPTIONS,
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(SWEEP_USAGE);
      return 0;
    }
    const command = positionals[0];
    if (command === undefined) throw new UsageError('a command is required (backfill, verify or audit)');
    if (command !== 'backfill' && command !== 'verify' && command !== 'audit') throw new UsageError(`unknown command "${command}"`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    if (command === 'audit') return audit(values, env, io);
    if (values['evidence-bucket'] !== undefined) throw new UsageError('--evidence-bucket applies to audit only');
    if (command === 'verify' && values['dry-run']) throw new UsageError('--dry-run applies to backfill only');
    if (command === 'backfill' && values.json) throw new UsageError('--json applies to verify only');
    if (values.route === undefined) throw new UsageError('--route is required');
    const since = dateFlag(values.since, 'since');
    if (since === undefined) throw new UsageError('--since is required');
    const until = dateFlag(values.until, 'until') ?? new Date();
    if (until.getTime() <= since.getTime()) throw new UsageError('--until must be after --since');

    const target = resolveTarget('sweep', values, env, { accounts: true, queue: command === 'backfill' && !values['dry-run'] });
    try {
      const account = findAccount(parseAccounts(target.accounts), values.route, target);
      const deps = sweepDepsFor(target);
      try {
        return command === 'backfill'
          ? await backfill(account, since, until, values['dry-run'], deps, io)
          : await verify(account, since, until, values.json, deps, io);
      } finally {
        await (deps.http as UndiciHttpClient).close();
      }
    } finally {
      target.close();
    }
  });
}

/**
 * The sweep function's environment and clients for a target: the same builder the deployed function
 * uses (sweepDepsFromEnv), given what the target knows in the variables the construct would set.
 */
function sweepDepsFor(target: Target): SweepFunctionDeps {
  const local = target.local;
  const env: Record<string, string> = {
    [ACCOUNTS_ENV.inline]: JSON.stringify(target.accounts),
    ...(target.queueUrl === undefined ? {} : { [SWEEP_ENV.queueUrl]: target.queueUrl }),
    ...(target.evidenceBucket === undefined ? {} : { [SWEEP_ENV.evidenceBucket]: target.evidenceBucket }),
    ...(local === undefined ? {} : { [SWEEP_ENV.settleSeconds]: String(local.sweepSettleSeconds) }),
    ...(target.region === undefined ? {} : { AWS_REGION: target.region }),
  };
  const overrides: DepsOverrides = {
    sqs: target.sqs(),
    fetchSecret: target.fetchSecret,
    log: silentLogger,
    ...(local?.evidenceEndpoint === undefined ? {} : { s3Endpoint: local.evidenceEndpoint, awsCredentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) }),
  };
  return sweepDepsFromEnv(env, overrides);
}

/** `audit`: each account's (or one route's) audit, page after page in this process, as the deployed one runs. */
async function audit(values: TargetFlags & { route?: string; since?: string; until?: string; json: boolean; 'dry-run': boolean }, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  for (const flag of ['since', 'until'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to backfill and verify only (the audit reads each account's retention plus its lookback)`);
  if (values['dry-run']) throw new UsageError('--dry-run applies to backfill only');
  const target = resolveTarget('sweep audit', values, env, { accounts: true, queue: true, evidenceBucket: true });
  try {
    return await auditTarget(target, values, io);
  } finally {
    target.close();
  }
}

/** Audits the target's accounts (or the chosen route) one after the other, printing where each report went. */
async function auditTarget(target: Target, values: TargetFlags & { route?: string; json: boolean }, io: CliIo): Promise<number> {
  const accounts = parseAccounts(target.accounts);
  const chosen = values.route === undefined ? accounts : [findAccount(accounts, values.route, target)];
  if (target.evidenceBucket === undefined) throw new UsageError(`${values.endpoints} is from an older npm start: restart it`);
  const deps = sweepDepsFor(target);
  let held = 0;
  const reports: unknown[] = [];
  try {
    for (const account of chosen) {
      const progress = progressLine(io);
      let job = auditFirstJob(account, deps.now(), deps);
      for (;;) {
        const result = await withPageRetries(() => auditPage(job, deps), { pageAttempts: PAGE_ATTEMPTS });
        if (result.kind === 'stopped') throw new Error(`audit of ${account.route} stopped: ${result.reason === 'clock-ahead' ? "this machine's clock is ahead of the provider's: fix it and run again" : result.reason}`);
        if (result.kind === 'next') {
          job = result.job;
          progress(`${account.route}: pages ${job.totals.pages} | messages seen ${job.totals.listed}`);
          continue;
        }
        progress.end();
        const r = result.report;
        held += r.heldPastRetention['due-not-redacted'] ?? 0;
        reports.push({ ...r, locations: result.locations });
        if (!values.json) {
          io.out(
            `audit ${r.route} (${r.provider}): ${r.listed} message(s) listed from ${r.listFrom}; held past retention: ` +
              `due-not-redacted ${r.heldPastRetention['due-not-redacted'] ?? 0}, provider-cannot-redact ${r.heldPastRetention['provider-cannot-redact'] ?? 0}; ` +
              `enqueued ${r.enqueued}\n  report ${result.locations.join('\n  csv    ')}\n`,
          );
        }
        break;
      }
    }
  } finally {
    await (deps.http as UndiciHttpClient).close();
  }
  if (values.json) io.out(`${JSON.stringify(reports)}\n`);
  return held > 0 ? 1 : 0;
}

/** Transient page failures are retried a few times with backoff before the command gives up. */
const PAGE_ATTEMPTS = 5;

async function backfill(account: Account, since: Date, until: Date, dryRun: boolean, deps: SweepFunctionDeps, io: CliIo): Promise<number> {
  const first = backfillJob(account, since, until, deps.now(), deps.schedule);
  const progress = progressLine(io);
  const totals = await sweepRun(first, deps, {
    dryRun,
    pageAttempts: PAGE_ATTEMPTS,
    onPage: (current) => progress(`pages ${current.pages} | messages seen ${current.listed} | to redact ${redactCount(current)}`),
  });
  progress.end();
  const verb = dryRun ? 'would enqueue' : 'enqueued';
  io.out(
    `backfill ${account.route} (${account.provider}): ${totals.pages} page(s), ${totals.listed} message(s) listed, ` +
      `${redactCount(totals)} ${verb}${describeCounts(totals.redact)}; skipped${describeCounts(totals.skipped) || ' none'}` +
      `${dryRun ? ' (dry run: nothing enqueued)' : ''}\n`,
  );
  return 0;
}

async function verify(account: Account, since: Date, until: Date, json: boolean, deps: SweepFunctionDeps, io: CliIo): Promise<number> {
  const provider = listingProviders[account.provider]!;
  const report = newVerifyReport(account, since, until, deps.now());
  const progress = progressLine(io);
  let cursor: string | undefined;
  let pages = 0;
  let listed = 0;
  do {
    const page = await withPageRetries(
      () => readListPage(account, provider, deps, { from: since, to: until, pageSize: deps.pageSize, ...(cursor === undefined ? {} : { cursor }) }),
      { pageAttempts: PAGE_ATTEMPTS },
    );
    for (const message of page.messages) recordListedMessage(report, message, account);
    pages++;
    listed += page.messages.length;
    progress(`pages ${pages} | messages seen ${listed}`);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  progress.end();
  const held = heldPastRetention(report);
  io.out(json ? `${JSON.stringify({ ...report, heldPastRetention: held })}\n` : formatReport(report, held));
  return held > 0 ? 1 : 0;
}

function formatReport(report: VerifyReport, held: number): string {
  const rows = [
    ['STATUS', 'LISTED', 'HELD', 'HELD PAST RETENTION', 'UNVERIFIABLE', 'OLDEST HELD PAST RETENTION (due at)'],
    ...report.statuses.map((line) => [
      line.status,
      String(line.listed),
      String(line.held),
      String(line.heldPastRetention),
      String(line.unverifiable),
      line.oldest === undefined ? '-' : `${line.oldest.id} (${line.oldest.dueAt})`,
    ]),
  ];
  const table = formatTable(rows);
  const unverifiable = report.statuses.reduce((sum, line) => sum + line.unverifiable, 0);
  return (
    `verify ${report.route} (${report.provider}): messages created ${report.from} to ${report.to}, retention judged at ${report.at}\n` +
    `${report.statuses.length === 0 ? 'no messages in the window' : table}\n` +
    `${held} bod${held === 1 ? 'y' : 'ies'} held past retention` +
    (unverifiable > 0 ? `; ${unverifiable} past retention the provider gives no way to check` : '') +
    '\n'
  );
}

function describeCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key} ${n}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
