import { isDocumentedFinal } from './documented-final-statuses';
import type { ProviderName } from '../functions/core/provider-name';
import type { CountingLogger } from './counting-logger';
import type { LocalStack } from './local-stack';
import type { FinalStatus } from './sandbox/callback-sender';
import { seededRandom } from './sandbox/fault-profile';
import type { SandboxMessage } from './sandbox/sandbox-message';

export const ALL_PROVIDERS: readonly ProviderName[] = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx'];

export interface DemoOptions {
  readonly messages: number;
  readonly providers?: readonly ProviderName[];
  /** Messages in flight at once on the provider side. */
  readonly concurrency?: number;
  /** Gives up waiting for the pipeline after this long; what is unfinished then counts as lost. */
  readonly timeoutMs?: number;
  readonly seed?: number;
  readonly log?: CountingLogger;
  readonly onProgress?: (progress: DemoProgress) => void;
}

export interface DemoProgress {
  readonly sent: number;
  readonly terminal: number;
  readonly redacted: number;
  readonly retrying: number;
  readonly deadLettered: number;
}

export interface DemoResult extends DemoProgress {
  readonly messages: number;
  /** Terminal, not redacted, not in the DLQ. Must be 0. */
  readonly lost: number;
  /** Not terminal, yet redacted. Must be 0. */
  readonly wronglyRedacted: number;
  readonly deadLetterReasons: Readonly<Record<string, number>>;
  /** Terminal callback accepted → body empty at the provider, in ms. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly durationMs: number;
}

interface Tracked {
  readonly message: SandboxMessage;
  readonly terminal: boolean;
  /** When our endpoint accepted the terminal callback. */
  acceptedAt?: number;
}

/**
 * Sends a batch of messages through the sandbox (mixed providers, outcomes and MMS), waits until
 * every terminal one is redacted or dead-lettered, and accounts for every message.
 */
export async function runDemo(stack: LocalStack, options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const random = seededRandom(options.seed ?? 7);
  const providers = options.providers ?? ALL_PROVIDERS;
  const tracked: Tracked[] = [];
  let next = 0;

  const progress = (): DemoProgress => {
    const dlq = deadLetters(stack);
    return {
      sent: tracked.length,
      terminal: tracked.filter((t) => t.terminal).length,
      redacted: tracked.filter((t) => t.message.body === '').length,
      retrying: options.log?.count('redaction.retry') ?? 0,
      deadLettered: dlq.size,
    };
  };
  const ticker = options.onProgress ? setInterval(() => options.onProgress!(progress()), 250) : undefined;

  const sendOne = async (index: number) => {
    const provider = providers[index % providers.length]!;
    const mms = random() < 0.1;
    const draw = random();
    const final: FinalStatus = draw < 0.8 ? 'delivered' : draw < 0.88 ? 'undelivered' : draw < 0.93 ? 'failed' : 'sent';
    const finalStatus = final === 'delivered' && mms && provider.startsWith('signalwire') ? 'sent' : final;
    const terminal = isDocumentedFinal(provider, finalStatus, mms);
    const { message, deliveries } = await stack.sender.send(provider, { mms, final });
    const entry: Tracked = { message, terminal };
    if (deliveries.some((d) => d.answered === 200)) entry.acceptedAt = Date.now();
    tracked.push(entry);
  };
  const workers = Array.from({ length: Math.min(options.concurrency ?? 16, options.messages) }, async () => {
    while (next < options.messages) await sendOne(next++);
  });
  await Promise.all(workers);

  // Wait until every terminal message is accounted for (redacted or parked), or time runs out.
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const dlq = deadLetters(stack);
    const open = tracked.filter((t) => t.terminal && t.message.body !== '' && !dlq.has(t.message.id));
    if (open.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (ticker) clearInterval(ticker);
  options.onProgress?.(progress());

  const dlq = deadLetters(stack);
  const reasons: Record<string, number> = {};
  for (const t of tracked) {
    const reason = dlq.get(t.message.id);
    if (reason !== undefined) reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  const latencies = tracked
    .filter((t) => t.terminal && t.message.redactedAt !== undefined && t.acceptedAt !== undefined)
    .map((t) => Math.max(0, t.message.redactedAt! - t.acceptedAt!))
    .sort((a, b) => a - b);
  return {
    messages: options.messages,
    ...progress(),
    lost: tracked.filter((t) => t.terminal && t.message.body !== '' && !dlq.has(t.message.id)).length,
    wronglyRedacted: tracked.filter((t) => !t.terminal && t.message.body === '').length,
    deadLetterReasons: reasons,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
    durationMs: Date.now() - started,
  };
}

/** Message id → dead-letter reason, read without consuming the DLQ. */
export function deadLetters(stack: LocalStack): Map<string, string> {
  const inspected = stack.queues.server.inspectQueue('message-redactor-dlq');
  const out = new Map<string, string>();
  if (inspected === undefined) return out;
  const all = [...inspected.messages.ready, ...inspected.messages.delayed, ...inspected.messages.inflight.map((i) => i.message)];
  for (const message of all) {
    try {
      const job = JSON.parse(message.body) as { messageId?: string };
      const reason = message.messageAttributes?.reason?.StringValue ?? 'redrive-backstop';
      if (typeof job.messageId === 'string') out.set(job.messageId, reason);
    } catch {
      // Not a job: counted by the DLQ CLI, not here.
    }
  }
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
