import { formatTable, intFlag, parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';
import { DEAD_LETTER_REASONS, listDeadLetterPage, purgeDeadLetters, redriveDeadLetters, type DeadLetterEntry, type DlqQueues } from './dlq-admin';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE } from './target';


const HELP = `Dead-letter queue operations (npm run dlq -- <command> [options])

Commands:
  list [--reason R] [--limit N] [--json]   parked jobs: ids, provider, route, reason, code, attempts, age (never bodies)
  redrive [--reason R] [--dry-run]         move parked jobs back to the redaction queue (retry clock restarts)
  purge --yes                              delete every parked job

Reasons: ${DEAD_LETTER_REASONS.join(', ')}

redrive and purge name the queue they act on (stderr) before acting. A deployed stack needs
--queue-url and --dlq-url; REDACTION_QUEUE_URL / DEAD_LETTER_QUEUE_URL in the shell are refused as
ambiguous while a local stack runs (pass --local or the flags).

${TARGET_USAGE}`;

/** Runs one CLI command; returns the exit code. Results go to `io.out`, problems to `io.err`. */
export async function runDlqCli(argv: readonly string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli('dlq', HELP, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      reason: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      ...TARGET_OPTIONS,
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
    const target = resolveTarget('dlq', values, env, { queue: true, deadLetterQueue: true });
    const queues: DlqQueues = { sqs: target.sqs(), queueUrl: target.queueUrl!, deadLetterQueueUrl: target.deadLetterQueueUrl! };
    try {
      switch (command) {
        case 'list': {
          const page = await listDeadLetterPage(queues, { ...(values.reason ? { reason: values.reason } : {}), ...(limit ? { limit } : {}) });
          io.out(values.json ? `${JSON.stringify(page.entries)}\n` : deadLetterTable(page.entries, page.matched, values.reason));
          return 0;
        }
        case 'redrive': {
          io.err(`redrive: ${target.deadLetterQueueUrl} → ${target.queueUrl}\n`);
          const result = await redriveDeadLetters(queues, { ...(values.reason ? { reason: values.reason } : {}), dryRun: values['dry-run'] });
          io.out(
            result.dryRun
              ? `${result.matched} job(s) would be moved back to the redaction queue (dry run: nothing changed)\n`
              : `${result.moved} of ${result.matched} job(s) moved back to the redaction queue\n`,
          );
          return result.moved === result.matched || result.dryRun ? 0 : 1;
        }
        default: {
          io.err(`purge: ${target.deadLetterQueueUrl}\n`);
          await purgeDeadLetters(queues);
          io.out('dead-letter queue purged\n');
          return 0;
        }
      }
    } finally {
      target.close();
    }
  });
}

function deadLetterTable(entries: readonly DeadLetterEntry[], matched: number, reason: string | undefined): string {
  if (matched === 0) return reason === undefined ? 'the dead-letter queue is empty\n' : `no parked job with reason ${reason}\n`;
  const rows = [
    ['ID', 'PROVIDER', 'ROUTE', 'MESSAGE', 'REASON', 'CODE', 'ATTEMPTS', 'AGE'],
    ...entries.map((e) => [e.id.slice(0, 8), e.provider, e.route, e.messageId, e.reason, e.code, e.attempts, formatAge(e.ageSeconds)]),
  ];
  const lines = [formatTable(rows)];
  const count = entries.length === matched ? `${matched} parked job(s)` : `${entries.length} of ${matched} parked job(s) shown (raise --limit for more)`;
  return `${lines.join('\n')}\n${count}\n`;
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3_600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
