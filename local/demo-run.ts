import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import type { CountingLogger } from './counting-logger';
import type { LocalStack } from './local-stack';
import type { FinalStatus } from './sandbox/callback-sender';
import { seededRandom } from './sandbox/fault-profile';
import type { SandboxMessage } from './sandbox/sandbox-message';
import { isFinalAtProvider, judgeSandbox, type GroundTruth } from './sandbox-ground-truth';

export const ALL_PROVIDERS: readonly ProviderName[] = ['twilio', 'signalwire-compat', 'signalwire-rest', 'carrierx', 'vonage-sms', 'vonage-messages'];

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
  /** Over every message in the sandbox: documented final, body held, not in the DLQ. Must be 0. */
  readonly lost: number;
  /** Over every message in the sandbox: not documented final, yet redacted. Must be 0. */
  readonly wronglyRedacted: number;
  readonly deadLetterReasons: Readonly<Record<string, number>>;
  /** Terminal callback accepted → body empty at the provider, in ms. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly durationMs: number;
}

/** One message the demo sent, and when our endpoint accepted its callback. */
export interface TrackedMessage {
  readonly message: SandboxMessage;
  /** When our endpoint accepted a callback of it (the first 200). */
  readonly acceptedAt?: number;
}

/** How a message ends at the provider, drawn as the demo draws it. */
export interface DrawnOutcome {
  readonly mms: boolean;
  readonly final: FinalStatus;
}

/**
 * The demo's mix: 10% MMS (none through Vonage's SMS API, which sends text only); 80% delivered, 8%
 * undelivered, 5% failed, 7% never past `sent` (each in the provider's own words: Vonage SMS `expired`
 * and `accepted`, say). SignalWire MMS get no delivery receipt, so a delivered one stays at `sent`
 * (documented final for MMS there).
 */
export function drawOutcome(random: () => number, provider: ProviderName): DrawnOutcome {
  const mms = random() < 0.1 && provider !== 'vonage-sms';
  const draw = random();
  const final: FinalStatus = draw < 0.8 ? 'delivered' : draw < 0.88 ? 'undelivered' : draw < 0.93 ? 'failed' : 'sent';
  return { mms, final: final === 'delivered' && mms && provider.startsWith('signalwire') ? 'sent' : final };
}

/**
 * Sends `options.messages` demo messages (round robin over the providers, and over the stack's Twilio
 * subaccounts when it has any) and their callbacks.
 */
export async function sendDemoMessages(stack: LocalStack, options: Pick<DemoOptions, 'messages' | 'providers' | 'concurrency' | 'seed'>): Promise<TrackedMessage[]> {
  const random = seededRandom(options.seed ?? 7);
  const providers = options.providers ?? ALL_PROVIDERS;
  const targets: Array<{ provider: ProviderName; subaccount?: { sid: string; callbackUrl: string } }> = [
    ...providers.map((provider) => ({ provider })),
    ...(providers.includes('twilio') ? stack.subaccounts : []).map((s) => ({
      provider: 'twilio' as const,
      subaccount: { sid: s.sid, callbackUrl: `${stack.gateway.origin}/callbacks/${s.route}` },
    })),
  ];
  const tracked: TrackedMessage[] = [];
  let next = 0;
  const sendOne = async (index: number) => {
    const { provider, subaccount } = targets[index % targets.length]!;
    const { message, deliveries } = await stack.sender.send(provider, { ...drawOutcome(random, provider), ...(subaccount === undefined ? {} : { subaccount }) });
    tracked.push(deliveries.some((d) => d.answered === 200) ? { message, acceptedAt: Date.now() } : { message });
  };
  const workers = Array.from({ length: Math.min(options.concurrency ?? 16, options.messages) }, async () => {
    while (next < options.messages) await sendOne(next++);
  });
  await Promise.all(workers);
  return tracked;
}

/** The sandbox's ground truth: every message it holds, judged with the documented final statuses. */
export function sandboxTruth(stack: LocalStack): GroundTruth {
  return judgeSandbox(stack.sandbox.messages.values(), deadLetters(stack));
}

/**
 * Sends a batch of messages through the sandbox (mixed providers, outcomes and MMS), waits until
 * every final message in the sandbox is redacted or dead-lettered, and accounts for every message.
 */
export async function runDemo(stack: LocalStack, options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const progress = (): DemoProgress => progressOf(stack, options.log);
  const ticker = options.onProgress ? setInterval(() => options.onProgress!(progress()), 250) : undefined;
  const tracked = await sendDemoMessages(stack, options);

  // Wait until every final message is accounted for (redacted or parked), or time runs out.
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (sandboxTruth(stack).lost > 0 && Date.now() <= deadline) await sleep(100);
  if (ticker) clearInterval(ticker);
  options.onProgress?.(progress());
  return demoResult(stack, tracked, options, started);
}

/** Progress as the sandbox shows it: messages sent during the run (seeded history aside), and their fate. */
export function progressOf(stack: LocalStack, log: CountingLogger | undefined): DemoProgress {
  const truth = sandboxTruth(stack);
  let sent = 0;
  for (const message of stack.sandbox.messages.values()) if (message.seeded !== true) sent++;
  return {
    sent,
    terminal: truth.terminal,
    redacted: truth.redacted,
    retrying: log?.count('redaction.retry') ?? 0,
    deadLettered: truth.deadLettered,
  };
}

/** The run's result: counts over the sandbox's ground truth, latencies over the demo's own messages. */
export function demoResult(stack: LocalStack, tracked: readonly TrackedMessage[], options: Pick<DemoOptions, 'messages' | 'log'>, started: number): DemoResult {
  const truth = sandboxTruth(stack);
  const latencies = tracked
    .filter((t) => isFinalAtProvider(t.message) && t.message.redactedAt !== undefined && t.acceptedAt !== undefined)
    .map((t) => Math.max(0, t.message.redactedAt! - t.acceptedAt!))
    .sort((a, b) => a - b);
  return {
    messages: options.messages,
    ...progressOf(stack, options.log),
    lost: truth.lost,
    wronglyRedacted: truth.wronglyRedacted,
    deadLetterReasons: truth.deadLetterReasons,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) },
    durationMs: Date.now() - started,
  };
}

/** Resolves once the redaction queue has held nothing (ready, delayed or in flight) for a few checks in a row. */
export async function waitForQueueIdle(stack: LocalStack, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() <= deadline) {
    const queue = stack.queues.server.inspectQueue('message-redactor-jobs');
    const held = queue === undefined ? 0 : queue.messages.ready.length + queue.messages.delayed.length + queue.messages.inflight.length;
    quiet = held === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return true;
    await sleep(200);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
