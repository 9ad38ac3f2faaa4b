import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { buildRedactionJob } from '../functions/core/redaction/redaction-job';
import { buildSqsEvent } from '../local/events/sqs-event';
import { LOCAL_ROUTES, type LocalStack } from '../local/local-stack';
import type { BuiltBundle, BundleName as AnyBundle } from './bundles';

/** The bundles whose cold start is measured (the sweep runs a few times an hour: its cold start is no one's latency). */
type BundleName = Exclude<AnyBundle, 'sweep'>;
import { startFakeSecretsManager } from './fake-secrets-manager';
import { median, nowMs } from './stats';
import { signedTwilioCallbacks, toApiGatewayEvent } from './twilio-callbacks';

const CHILD = fileURLToPath(new URL('./cold-start-child.mjs', import.meta.url));

export interface ColdRun {
  /** Spawn → the child printed its result. */
  readonly wallMs: number;
  /** Inside the child: import of the bundle, and the first invocation. */
  readonly importMs: number;
  readonly invokeMs: number;
}

export interface ColdImportResult {
  /** Median wall time of each bundle over median wall time of the hello-world bundle. */
  readonly ratio: { readonly receiver: number; readonly redactor: number };
  readonly medianMs: Readonly<Record<BundleName, ColdRun>>;
  readonly runs: number;
  /** GetSecretValue calls the children made (one per receiver/redactor cold start expected). */
  readonly secretsManagerCalls: number;
}

/**
 * Cold start of each bundle in a fresh `node` process: spawn → import → one real invocation against
 * the local stack (the receiver enqueues a job on fauxqs, the redactor redacts a sandbox message,
 * both fetch their secret through the real SDK from a fake Secrets Manager), divided by the same for
 * a hello-world bundle built with the same esbuild settings. Runs are interleaved, order rotating,
 * and every answer is checked so a failing child cannot pass for a fast one.
 */
export async function measureColdImport(
  stack: LocalStack,
  bundles: Record<AnyBundle, BuiltBundle>,
  options: { runs?: number; homeDir: string },
): Promise<ColdImportResult> {
  const runs = options.runs ?? 12;
  const secrets = JSON.parse(await readFile(stack.secretsFile, 'utf8')) as Record<string, { accountSid: string; authToken: string }>;
  const secretsManager = await startFakeSecretsManager(secrets);
  // The stack's own redactor must not consume what the children enqueue while we time them.
  await stack.poller.stop();
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: options.homeDir, // no ~/.aws here, as on Lambda
      // What Lambda sets, and the SDK's service-specific endpoint variables for the local servers.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
      AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/bench0',
      AWS_SESSION_TOKEN: 'bench-session-token',
      AWS_ENDPOINT_URL_SQS: stack.queues.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      REDACTOR_ACCOUNTS: JSON.stringify(stack.accounts),
      REDACTION_QUEUE_URL: stack.queues.queueUrl,
      DEAD_LETTER_QUEUE_URL: stack.queues.deadLetterQueueUrl,
      NODE_ENV: 'production',
    };
    const route = LOCAL_ROUTES.twilio;
    const twilio = secrets['local/twilio']!;
    const callbacks = signedTwilioCallbacks(2 * runs, stack.callbackUrl('twilio'), twilio).filter((_, i) => i % 2 === 1);

    const events: Record<BundleName, (i: number) => { event: APIGatewayProxyEventV2 | SQSEvent | object; check: (result: unknown) => boolean }> = {
      hello: () => ({ event: {}, check: (r) => (r as { statusCode?: number }).statusCode === 200 }),
      receiver: (i) => ({ event: toApiGatewayEvent(callbacks[i]!, route), check: (r) => (r as { statusCode?: number }).statusCode === 200 }),
      redactor: (i) => {
        const message = stack.sandbox.createMessage('twilio', { body: 'cold start bench', status: 'delivered' });
        const job = buildRedactionJob({ provider: 'twilio', route, messageId: message.id, status: 'delivered' }, new Date(), 0);
        return {
          event: sqsEvent(JSON.stringify(job), i),
          check: (r) => ((r as { batchItemFailures?: unknown[] }).batchItemFailures ?? [1]).length === 0 && message.body === '',
        };
      },
    };
    const names: BundleName[] = ['hello', 'receiver', 'redactor'];
    const samples: Record<BundleName, ColdRun[]> = { hello: [], receiver: [], redactor: [] };
    // One untimed round first: the OS page cache and the servers' sockets are warm for everyone.
    for (let r = -1; r < runs; r++) {
      const order = names.map((_, k) => names[(k + Math.max(r, 0)) % names.length]!);
      for (const name of order) {
        const { event, check } = events[name](Math.max(r, 0));
        const run = await runChild(bundles[name].file, { ...env, BENCH_EVENT: JSON.stringify(event) }, check, name);
        if (r >= 0) samples[name].push(run);
      }
    }
    const med = (name: BundleName): ColdRun => ({
      wallMs: median(samples[name].map((s) => s.wallMs)),
      importMs: median(samples[name].map((s) => s.importMs)),
      invokeMs: median(samples[name].map((s) => s.invokeMs)),
    });
    const medianMs = { hello: med('hello'), receiver: med('receiver'), redactor: med('redactor') };
    return {
      ratio: { receiver: medianMs.receiver.wallMs / medianMs.hello.wallMs, redactor: medianMs.redactor.wallMs / medianMs.hello.wallMs },
      medianMs,
      runs,
      secretsManagerCalls: secretsManager.calls(),
    };
  } finally {
    await secretsManager.stop();
  }
}

/** Spawns the child, resolves when it printed its result line (and it was correct) and has exited. */
function runChild(bundle: string, env: Record<string, string>, check: (result: unknown) => boolean, name: string): Promise<ColdRun> {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const child = spawn(process.execPath, [CHILD, bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let wallMs: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (wallMs === undefined && /^bench-result .*\n/m.test(out)) wallMs = nowMs() - started;
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = /^bench-result (.*)$/m.exec(out)?.[1] ?? out.slice(-300);
      let parsed: { result: unknown; importMs: number; invokeMs: number } | undefined;
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      if (code !== 0 || wallMs === undefined || parsed === undefined || !check(parsed.result)) {
        reject(new Error(`cold start of ${name} failed (exit ${code}): ${line.slice(0, 300)} ${err.slice(0, 500)}`));
        return;
      }
      resolve({ wallMs, importMs: parsed.importMs, invokeMs: parsed.invokeMs });
    });
  });
}

function sqsEvent(body: string, i: number): SQSEvent {
  const message = { messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, receiptHandle: `bench-receipt-${i}`, body };
  return buildSqsEvent([message], 'arn:aws:sqs:us-east-1:000000000000:message-redactor-jobs');
}
