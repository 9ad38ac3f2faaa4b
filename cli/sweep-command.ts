import { readFileSync } from 'node:fs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { indexByRoute, parseAccounts, type Account, type AccountsEntryInput } from '../functions/core/config';
import { silentLogger } from '../functions/core/logger';
import { redactCount } from '../functions/core/sweep-page-job';
import { backfillJob } from '../functions/core/sweep-window';
import { heldPastRetention, newVerifyReport, recordListedMessage, type VerifyReport } from '../functions/core/verify-report';
import type { DepsOverrides } from '../functions/aws/deps-overrides';
import { listingProviders } from '../functions/providers';
import type { UndiciHttpClient } from '../functions/http/undici-http-client';
import { sweepDepsFromEnv, type SweepFunctionDeps } from '../functions/sweep/sweep-deps';
import { auditFirstJob, auditPage } from '../functions/sweep/audit-run';
import { readListPage } from '../functions/sweep/sweep-page';
import { sweepRun, withPageRetries } from '../functions/sweep/sweep-run';
import { LOCAL_ENDPOINTS_FILE, noLocalStackMessage, readLocalEndpoints } from '../local/local-endpoints';
import { loadAccountsFile } from '../infra/accounts-file';
import { dateFlag, parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';


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

Target:
  (default)                        the local stack of a running \`npm start\` [--endpoints FILE]
  --accounts FILE [--queue-url URL] [--evidence-bucket NAME]
                                   a deployed stack: the accounts file it was deployed with, its
                                   RedactionQueueUrl output (backfill, audit) and EvidenceBucketName
                                   output (audit); secrets from Secrets Manager, AWS credentials and
                                   region from the usual chain
  --help                           this text
`;

/** Runs one sweep command; returns the exit code. */
export async function runSweepCli(argv: readonly string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli('sweep', SWEEP_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      route: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      endpoints: { type: 'string', default: LOCAL_ENDPOINTS_FILE },
      accounts: { type: 'string' },
      'queue-url': { type: 'string' },
      'evidence-bucket': { type: 'string' },
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

    const target = resolveTarget(values, env, command === 'backfill' && !values['dry-run']);
    const account = indexByRoute(parseAccounts(target.accounts)).get(values.route);
    if (account === undefined) throw new UsageError(`route "${values.route}" is not an account of ${target.describe}`);
    const deps = sweepDepsFromEnv(target.env, { ...target.overrides, log: silentLogger });
    try {
      return command === 'backfill'
        ? await backfill(account, since, until, values['dry-run'], deps, io)
        : await verify(account, since, until, values.json, deps, io);
    } finally {
      await (deps.http as UndiciHttpClient).close();
      target.sqs.destroy();
    }
  });
}

interface Target {
  readonly accounts: readonly AccountsEntryInput[];
  readonly env: Record<string, string>;
  readonly overrides: DepsOverrides;
  readonly sqs: SQSClient;
  readonly describe: string;
}

type TargetFlags = { endpoints: string; accounts?: string; 'queue-url'?: string; 'evidence-bucket'?: string };

function resolveTarget(values: TargetFlags, env: NodeJS.ProcessEnv, needsQueue: boolean, command = 'backfill'): Target {
  if (values.accounts !== undefined) {
    const queueUrl = values['queue-url'] ?? env.REDACTION_QUEUE_URL;
    if (needsQueue && queueUrl === undefined) throw new UsageError(`${command} of a deployed stack needs --queue-url (the RedactionQueueUrl stack output)`);
    const region = queueUrl === undefined ? undefined : /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(queueUrl)?.[1];
    const accounts = loadAccountsFile(values.accounts);
    const sqs = new SQSClient(region ? { region } : {});
    const bucket = values['evidence-bucket'];
    return {
      accounts,
      env: {
        REDACTOR_ACCOUNTS: JSON.stringify(accounts),
        REDACTION_QUEUE_URL: queueUrl ?? 'unused',
        ...(bucket === undefined ? {} : { EVIDENCE_BUCKET: bucket }),
        ...(region === undefined ? {} : { AWS_REGION: region }),
      },
      overrides: { sqs },
      sqs,
      describe: values.accounts,
    };
  }
  if (values['evidence-bucket'] !== undefined) throw new UsageError('--evidence-bucket applies to a deployed stack (with --accounts); the local stack has its own');
  const local = readLocalEndpoints(values.endpoints);
  if (local === undefined) throw new UsageError(noLocalStackMessage(values.endpoints, 'pass --accounts for a deployed stack'));
  if (local.accounts === undefined || local.secretsFile === undefined) throw new UsageError(`${values.endpoints} is from an older npm start: restart it`);
  const sqs = new SQSClient({ endpoint: local.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const secretsFile = local.secretsFile;
  return {
    accounts: local.accounts,
    env: {
      REDACTOR_ACCOUNTS: JSON.stringify(local.accounts),
      REDACTION_QUEUE_URL: local.queueUrl,
      SWEEP_SETTLE_SECONDS: String(local.sweepSettleSeconds ?? 0),
      ...(local.evidenceBucket === undefined ? {} : { EVIDENCE_BUCKET: local.evidenceBucket }),
    },
    overrides: {
      sqs,
      ...(local.evidenceEndpoint === undefined ? {} : { s3Endpoint: local.evidenceEndpoint, awsCredentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) }),
      fetchSecret: async (id) => JSON.stringify((JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, unknown>)[id] ?? {}) },
    sqs,
    describe: 'the local stack',
  };
}

/** `audit`: each account's (or one route's) audit, page after page in this process, as the deployed one runs. */
async function audit(values: TargetFlags & { route?: string; since?: string; until?: string; json: boolean; 'dry-run': boolean }, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  for (const flag of ['since', 'until'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to backfill and verify only (the audit reads each account's retention plus its lookback)`);
  if (values['dry-run']) throw new UsageError('--dry-run applies to backfill only');
  if (values.accounts !== undefined && values['evidence-bucket'] === undefined) throw new UsageError('audit of a deployed stack needs --evidence-bucket (the EvidenceBucketName stack output)');
  const target = resolveTarget(values, env, true, 'audit');
  const accounts = parseAccounts(target.accounts);
  const chosen = values.route === undefined ? accounts : accounts.filter((account) => account.route === values.route);
  if (chosen.length === 0) throw new UsageError(`route "${values.route}" is not an account of ${target.describe}`);
  if (target.env.EVIDENCE_BUCKET === undefined) throw new UsageError(`${values.endpoints} is from an older npm start: restart it`);
  const deps = sweepDepsFromEnv(target.env, { ...target.overrides, log: silentLogger });
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
    target.sqs.destroy();
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
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
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

/** A one-line progress display on a terminal; nothing elsewhere. */
function progressLine(io: CliIo): ((text: string) => void) & { end(): void } {
  let shown = false;
  const show = (text: string) => {
    if (!io.isTTY) return;
    io.err(`\r\x1b[2K${text}`);
    shown = true;
  };
  return Object.assign(show, { end: () => shown && io.err('\n') });
}
