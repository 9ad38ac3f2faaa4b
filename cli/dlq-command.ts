import { LOCAL_ENDPOINTS_FILE, noLocalStackMessage, readLocalEndpoints } from '../local/local-endpoints';
import { SQSClient } from '@aws-sdk/client-sqs';
import { intFlag, parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';
import { DEAD_LETTER_REASONS, listDeadLetterPage, purgeDeadLetters, redriveDeadLetters, type DeadLetterEntry, type DlqQueues } from './dlq-admin';


const HELP = `Dead-letter queue operations (npm run dlq -- <command> [options])

Commands:
  list [--reason R] [--limit N] [--json]   parked jobs: ids, provider, route, reason, code, attempts, age (never bodies)
  redrive [--reason R] [--dry-run]         move parked jobs back to the redaction queue (retry clock restarts)
  purge --yes                              delete every parked job

Target (one of):
  --local [--endpoints FILE]               the queues of a running \`npm start\` (default when ${LOCAL_ENDPOINTS_FILE} exists)
  --queue-url URL --dlq-url URL            deployed queues (stack outputs RedactionQueueUrl, DeadLetterQueueUrl);
                                           AWS credentials from the usual chain; also REDACTION_QUEUE_URL / DEAD_LETTER_QUEUE_URL
                                           (refused as ambiguous while a local stack runs: pass --local or the flags)
redrive and purge name the queue they act on (stderr) before acting.

Reasons: ${DEAD_LETTER_REASONS.join(', ')}
`;

/** Runs one CLI command; returns the exit code. Results go to `io.out`, problems to `io.err`. */
export async function runDlqCli(argv: readonly string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli('dlq', HELP, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      reason: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      endpoints: { type: 'string', default: LOCAL_ENDPOINTS_FILE },
      'queue-url': { type: 'string' },
      'dlq-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const command = positionals[0];
    if (command === undefined) throw new UsageError('a command is required (list, redrive or purge)');
    if (!['list', 'redrive', 'purge'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const limit = intFlag(values.limit, 'limit', 1, 1_000_000);
    if (values.reason !== undefined && !DEAD_LETTER_REASONS.includes(values.reason)) {
      throw new UsageError(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}`);
    }
    if (command === 'purge' && !values.yes) throw new UsageError('purge deletes every parked job for good: add --yes to confirm');
    const target = resolveTarget(values, env);
    try {
      switch (command) {
        case 'list': {
          const page = await listDeadLetterPage(target, { ...(values.reason ? { reason: values.reason } : {}), ...(limit ? { limit } : {}) });
          io.out(values.json ? `${JSON.stringify(page.entries)}\n` : formatTable(page.entries, page.matched, values.reason));
          return 0;
        }
        case 'redrive': {
          io.err(`redrive: ${target.deadLetterQueueUrl} → ${target.queueUrl}\n`);
          const result = await redriveDeadLetters(target, { ...(values.reason ? { reason: values.reason } : {}), dryRun: values['dry-run'] });
          io.out(
            result.dryRun
              ? `${result.matched} job(s) would be moved back to the redaction queue (dry run: nothing changed)\n`
              : `${result.moved} of ${result.matched} job(s) moved back to the redaction queue\n`,
          );
          return result.moved === result.matched || result.dryRun ? 0 : 1;
        }
        default: {
          io.err(`purge: ${target.deadLetterQueueUrl}\n`);
          await purgeDeadLetters(target);
          io.out('dead-letter queue purged\n');
          return 0;
        }
      }
    } finally {
      target.sqs.destroy();
    }
  });
}

function resolveTarget(
  values: { local?: boolean; endpoints: string; 'queue-url'?: string; 'dlq-url'?: string },
  env: NodeJS.ProcessEnv,
): DlqQueues {
  const queueUrl = values['queue-url'] ?? env.REDACTION_QUEUE_URL;
  const deadLetterQueueUrl = values['dlq-url'] ?? env.DEAD_LETTER_QUEUE_URL;
  const fromShellOnly = values['queue-url'] === undefined && values['dlq-url'] === undefined
    && (env.REDACTION_QUEUE_URL !== undefined || env.DEAD_LETTER_QUEUE_URL !== undefined);
  // Variables left in a shell must not silently win over (or lose to) a running local stack: a purge
  // meant for one would hit the other.
  if (!values.local && fromShellOnly && readLocalEndpoints(values.endpoints) !== undefined) {
    throw new UsageError(
      `ambiguous target: REDACTION_QUEUE_URL/DEAD_LETTER_QUEUE_URL are set and a local stack is running (${values.endpoints}): `
      + 'pass --local for the local queues, or --queue-url and --dlq-url for the deployed ones',
    );
  }
  if (!values.local && (queueUrl !== undefined || deadLetterQueueUrl !== undefined)) {
    // Redrive needs both queues, and a list from one deployment with the other's DLQ would mislead.
    if (deadLetterQueueUrl === undefined) throw new UsageError('--queue-url needs --dlq-url too (the stack output DeadLetterQueueUrl, or DEAD_LETTER_QUEUE_URL)');
    if (queueUrl === undefined) throw new UsageError('--dlq-url needs --queue-url too (the stack output RedactionQueueUrl, or REDACTION_QUEUE_URL)');
    const region = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(deadLetterQueueUrl)?.[1];
    return { sqs: new SQSClient(region ? { region } : {}), queueUrl, deadLetterQueueUrl };
  }
  const local = readLocalEndpoints(values.endpoints);
  if (local === undefined) {
    // No target is a usage problem (one line, the usage, exit 2), as in every other command.
    throw new UsageError(
      values.local
        ? noLocalStackMessage(values.endpoints, 'pass --queue-url and --dlq-url for a deployed stack')
        : 'no target: pass --queue-url and --dlq-url for a deployed stack, or run npm start for a local one',
    );
  }
  return {
    // One attempt: a local stack that is not running should say so now, not after the SDK's retries.
    sqs: new SQSClient({ endpoint: local.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }),
    queueUrl: local.queueUrl,
    deadLetterQueueUrl: local.deadLetterQueueUrl,
  };
}

function formatTable(entries: readonly DeadLetterEntry[], matched: number, reason: string | undefined): string {
  if (matched === 0) return reason === undefined ? 'the dead-letter queue is empty\n' : `no parked job with reason ${reason}\n`;
  const rows = [
    ['ID', 'PROVIDER', 'ROUTE', 'MESSAGE', 'REASON', 'CODE', 'ATTEMPTS', 'AGE'],
    ...entries.map((e) => [e.id.slice(0, 8), e.provider, e.route, e.messageId, e.reason, e.code, e.attempts, formatAge(e.ageSeconds)]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  const count = entries.length === matched ? `${matched} parked job(s)` : `${entries.length} of ${matched} parked job(s) shown (raise --limit for more)`;
  return `${lines.join('\n')}\n${count}\n`;
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3_600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
