import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { listDeadLetters, purgeDeadLetters, redriveDeadLetters, type DeadLetterEntry, type DlqQueues } from './dlq-admin';

/** Written by `npm start`: where the local queues listen. */
export const LOCAL_ENDPOINTS_FILE = '.local-state/endpoints.json';

const HELP = `Dead-letter queue operations (npm run dlq -- <command> [options])

Commands:
  list [--reason R] [--limit N] [--json]   parked jobs: ids, provider, route, reason, code, attempts, age (never bodies)
  redrive [--reason R] [--dry-run]         move parked jobs back to the redaction queue (retry clock restarts)
  purge --yes                              delete every parked job

Target (one of):
  --local [--endpoints FILE]               the queues of a running \`npm start\` (default when ${LOCAL_ENDPOINTS_FILE} exists)
  --queue-url URL --dlq-url URL            deployed queues (stack outputs RedactionQueueUrl, DeadLetterQueueUrl);
                                           AWS credentials from the usual chain; also REDACTION_QUEUE_URL / DEAD_LETTER_QUEUE_URL
`;

/** Runs one CLI command; returns the exit code. Output goes through `write`, so tests can read it. */
export async function runDlqCli(argv: readonly string[], write: (text: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
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
      },
    });
  } catch (error) {
    write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (!['list', 'redrive', 'purge'].includes(command)) {
    write(`unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    write('--limit must be a positive whole number\n');
    return 2;
  }
  const target = resolveTarget(values, env);
  if (typeof target === 'string') {
    write(`${target}\n\n${HELP}`);
    return 2;
  }
  try {
    switch (command) {
      case 'list': {
        const entries = await listDeadLetters(target, { ...(values.reason ? { reason: values.reason } : {}), ...(limit ? { limit } : {}) });
        write(values.json ? `${JSON.stringify(entries)}\n` : formatTable(entries));
        return 0;
      }
      case 'redrive': {
        const result = await redriveDeadLetters(target, { ...(values.reason ? { reason: values.reason } : {}), dryRun: values['dry-run'] });
        write(
          result.dryRun
            ? `${result.matched} job(s) would be moved back to the redaction queue (dry run: nothing changed)\n`
            : `${result.moved} of ${result.matched} job(s) moved back to the redaction queue\n`,
        );
        return result.moved === result.matched || result.dryRun ? 0 : 1;
      }
      default: {
        if (!values.yes) {
          write('purge deletes every parked job for good: add --yes to confirm\n');
          return 2;
        }
        await purgeDeadLetters(target);
        write('dead-letter queue purged\n');
        return 0;
      }
    }
  } finally {
    target.sqs.destroy();
  }
}

function resolveTarget(
  values: { local?: boolean; endpoints: string; 'queue-url'?: string; 'dlq-url'?: string },
  env: NodeJS.ProcessEnv,
): DlqQueues | string {
  const queueUrl = values['queue-url'] ?? env.REDACTION_QUEUE_URL;
  const deadLetterQueueUrl = values['dlq-url'] ?? env.DEAD_LETTER_QUEUE_URL;
  if (!values.local && queueUrl && deadLetterQueueUrl) {
    const region = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(deadLetterQueueUrl)?.[1];
    return { sqs: new SQSClient(region ? { region } : {}), queueUrl, deadLetterQueueUrl };
  }
  if (!existsSync(values.endpoints)) {
    return values.local
      ? `no local stack found (${values.endpoints} is missing): start one with npm start`
      : 'no target: pass --queue-url and --dlq-url, or run npm start for a local stack';
  }
  const local = JSON.parse(readFileSync(values.endpoints, 'utf8')) as { sqsEndpoint: string; queueUrl: string; deadLetterQueueUrl: string };
  return {
    sqs: new SQSClient({ endpoint: local.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    queueUrl: local.queueUrl,
    deadLetterQueueUrl: local.deadLetterQueueUrl,
  };
}

function formatTable(entries: readonly DeadLetterEntry[]): string {
  if (entries.length === 0) return 'the dead-letter queue is empty\n';
  const rows = [
    ['ID', 'PROVIDER', 'ROUTE', 'MESSAGE', 'REASON', 'CODE', 'ATTEMPTS', 'AGE'],
    ...entries.map((e) => [e.id.slice(0, 8), e.provider, e.route, e.messageId, e.reason, e.code, e.attempts, formatAge(e.ageSeconds)]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  return `${lines.join('\n')}\n${entries.length} parked job(s)\n`;
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3_600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
