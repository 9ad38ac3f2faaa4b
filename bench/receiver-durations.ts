import { readFile } from 'node:fs/promises';
import { silentLogger } from '../functions/core/telemetry/logger';
import { createReceiverHandler } from '../functions/receiver/create-handler';
import { receiverDepsFromEnv } from '../functions/receiver/receiver-deps';
import { fileSecretFetch } from '../local/file-secrets';
import { LOCAL_ROUTES, type LocalStack } from '../local/local-stack';
import { median, nowMs } from './stats';
import { signedTwilioCallbacks, toApiGatewayEvent } from './twilio-callbacks';

export interface ReceiverDurations {
  /** Median warm invocation of a terminal callback (authenticate, parse, SendMessage to fauxqs). */
  readonly terminalMs: number;
  /** Median warm invocation of a non-terminal one (authenticate, parse, answer 204). */
  readonly ignoredMs: number;
  readonly invocations: number;
}

/**
 * Warm receiver handler durations, one invocation at a time as Lambda runs them: the handler is
 * built exactly as startLocalStack builds it (same environment, the stack's SQS client on fauxqs,
 * the secrets file), fed signed Twilio callbacks as API Gateway events. The jobs it enqueues are
 * left on the stack's queue. A cold first invocation is excluded (it is measured by cold-import).
 */
export async function measureReceiverDurations(stack: LocalStack, count = 400): Promise<ReceiverDurations> {
  const handler = createReceiverHandler(
    receiverDepsFromEnv(
      { REDACTOR_ACCOUNTS: JSON.stringify(stack.accounts), REDACTION_QUEUE_URL: stack.queues.queueUrl },
      { sqs: stack.queues.sqs, fetchSecret: fileSecretFetch(stack.secretsFile), log: silentLogger },
    ),
  );
  const secrets = JSON.parse(await readFile(stack.secretsFile, 'utf8')) as Record<string, { accountSid: string; authToken: string }>;
  const events = signedTwilioCallbacks(count + 20, stack.callbackUrl('twilio'), secrets['local/twilio']!).map((c) =>
    toApiGatewayEvent(c, LOCAL_ROUTES.twilio),
  );
  const terminal: number[] = [];
  const ignored: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const started = nowMs();
    const result = await handler(events[i]!);
    const ms = nowMs() - started;
    const expected = i % 2 === 0 ? 204 : 200;
    if (result.statusCode !== expected) throw new Error(`receiver answered ${result.statusCode}, expected ${expected}`);
    if (i < 20) continue; // warm-up: secret load, SDK client's first connection, JIT
    (expected === 200 ? terminal : ignored).push(ms);
  }
  return { terminalMs: median(terminal), ignoredMs: median(ignored), invocations: terminal.length + ignored.length };
}
