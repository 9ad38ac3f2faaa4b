import type { SQSEvent } from 'aws-lambda';
import type { Logger } from '../functions/core/telemetry/logger';
import { createRedactorHandler, type RedactorHandler } from '../functions/redactor/create-handler';
import { deadLetters } from '../local/demo-run';
import { startLocalStack, type LocalStack } from '../local/local-stack';
import { NO_FAULTS } from '../local/sandbox/fault-profile';
import type { SandboxMessage } from '../local/sandbox/sandbox-message';
import { SqsPoller } from '../local/sqs-poller';
import { countSecretLoads, countSqsCalls } from './aws-call-counter';
import { median, nowMs, percentile, sleep, waitUntil } from './stats';

export interface PipelineOptions {
  /** Event source mapping MaximumConcurrency (concurrent redactor invocations). */
  readonly maxConcurrency: number;
  /** Records one invocation redacts at once (PROVIDER_CONCURRENCY). */
  readonly providerConcurrency: number;
  readonly batchSize: number;
  /** Sandbox answer latency L, ms. */
  readonly latencyMs: number;
  /** Backlog phase: seconds of work at the physical limit C / L queued before the redactor starts. */
  readonly backlogSeconds: number;
  /** Latency phase: how long messages are sent at a steady pace. */
  readonly pacedSeconds: number;
  /** Latency phase pace, as a share of the throughput measured in the backlog phase. */
  readonly pacedLoad: number;
  /** Where the local stack writes its secrets file (a temp dir: never the repo's .local-state). */
  readonly stateDir: string;
  /** The functions' logger (the cost model measures its bytes). @default - silent */
  readonly log?: Logger;
}

/** One redactor invocation as the poller made it. */
export interface Invocation {
  /** Invocation slot (one per concurrent invocation, each with its own execution environment). */
  readonly slot: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly records: number;
}

export interface PipelineResult {
  /** C: maxConcurrency × providerConcurrency, the redactions that can be waiting on the provider at once. */
  readonly totalConcurrency: number;
  readonly latencyMs: number;
  /** C / L in redactions per second: every slot always busy with one provider call of latency L. */
  readonly physicalLimitPerSec: number;
  /** How fast the sandbox's callback sender queued the backlog (both callbacks of each message). */
  readonly backlogSendPerSec: number;
  /** Backlog drained: redacted / (end of the last invocation − redactor start). */
  readonly throughputPerSec: number;
  /** The same over the middle 80 % of redactions (no ramp-up or tail). */
  readonly steadyThroughputPerSec: number;
  /** throughputPerSec / physicalLimitPerSec. */
  readonly efficiency: number;
  /** Process CPU time during the drain, as a share of one core (1 = the event loop never idles). */
  readonly drainCpuShare: number;
  /**
   * Where the drain's time went, as factors of `efficiency` (their product, up to ramp-up and tail):
   * `busy`: share of slot time spent inside the handler; `handler`: L × records / (duration ×
   * providerConcurrency), how close an invocation comes to keeping all its provider slots waiting on
   * the provider. `gapMs`: median time a slot spends between invocations (delete the batch, receive
   * the next), when slots are known.
   */
  readonly drainBreakdown: {
    readonly busy: number;
    readonly handler: number;
    readonly gapMs: number;
    readonly invocationMs: number;
    readonly recordsPerInvocation: number;
  };
  /** Median ms of each SQS operation during the drain (SDK call, as the poller and redactor see it). */
  readonly drainSqsMs: Readonly<Record<string, number>>;
  /**
   * Terminal callback accepted (its job's SendMessage succeeded; the receiver answers 200 right
   * after) → body empty at the sandbox (emptied when it takes the redact request; L is added to its
   * answer), in the paced phase.
   */
  readonly latency: { readonly offeredPerSec: number; readonly p50: number; readonly p99: number; readonly messages: number };
  readonly messages: number;
  readonly redacted: number;
  /** Terminal messages neither redacted nor dead-lettered at the end. Must be 0. */
  readonly lost: number;
  readonly deadLettered: number;
  /** SQS requests by operation over both phases. */
  readonly sqsCalls: Readonly<Record<string, number>>;
  readonly sqsCallsPerMessage: number;
  /** The same for each phase alone: backlog (full batches) and paced (steady load, partial batches). */
  readonly sqsCallsPerMessageByPhase: { readonly backlog: number; readonly paced: number };
  readonly secretLoads: number;
  readonly secretLoadsPerMessage: number;
  readonly invocations: readonly Invocation[];
}

/**
 * End-to-end redactions per second through the local stack (HTTP callback → receiver → fauxqs →
 * poller → redactor → sandbox with latency L), against the physical limit C / L.
 *
 * Phase 1 (throughput): Twilio SMS are walked through `sent` → `delivered` by the sandbox's callback
 * sender while the redactor is paused, so the queue holds a backlog; the redactor then starts and
 * the time until every body is empty gives the throughput with the queue never empty. No callbacks
 * are sent meanwhile, so the sender does not compete for this one process's CPU: what is measured
 * is the redactor side. Phase 2 (latency): messages at a steady pace below that throughput, timing
 * terminal callback → redaction without a backlog. SQS requests and secret loads are counted over
 * both phases.
 */
export async function measurePipeline(options: PipelineOptions): Promise<PipelineResult> {
  const stack = await startLocalStack({
    maxConcurrency: options.maxConcurrency,
    providerConcurrency: options.providerConcurrency,
    batchSize: options.batchSize,
    stateDir: options.stateDir,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const secretLoads = countSecretLoads(stack.secretsFile);
  try {
    // The stack's poller is replaced by an identical one over the same execution environments whose
    // invocations are timed, for the cost model; it starts once the backlog is queued.
    await stack.poller.stop();
    const sqs = countSqsCalls(stack.queues.sqs, stack.receiverSqs);
    // The receiver enqueues through its own client.
    const enqueuedAt = recordEnqueueTimes(stack.receiverSqs);
    stack.sandbox.faults = { ...NO_FAULTS, latencyMs: options.latencyMs };
    const invocations: Invocation[] = [];
    const inFlight = { count: 0 };
    const poller = timedPoller(stack, options, invocations, inFlight);
    const totalConcurrency = options.maxConcurrency * options.providerConcurrency;
    const physicalLimitPerSec = (totalConcurrency * 1000) / options.latencyMs;

    // Phase 1: backlog, then drain.
    const sendStarted = nowMs();
    const backlog = await sendMessages(stack, Math.round(physicalLimitPerSec * options.backlogSeconds), { concurrency: 32 });
    const backlogSendPerSec = (backlog.length * 1000) / (nowMs() - sendStarted);
    const backlogCalls = sqs.total();
    sqs.resetLatencies();
    const cpuBefore = process.cpuUsage();
    const started = nowMs();
    poller.start();
    // Bounded: a broken redactor ends the phase after 10 × the ideal drain time (at least 30 s).
    await waitUntil(allRedacted(backlog), Math.max(30_000, options.backlogSeconds * 10_000));
    // The drain ends when the redactor has its last answer, not when the sandbox took the last request.
    await waitUntil(() => inFlight.count === 0, 10_000);
    const drainInvocations = [...invocations];
    const drainEnd = Math.max(started + 1, ...drainInvocations.map((i) => i.startedAt + i.durationMs));
    const cpu = process.cpuUsage(cpuBefore);
    const drainCpuShare = (cpu.user + cpu.system) / 1000 / (drainEnd - started);
    const drainBreakdown = breakdown(drainInvocations, options, drainEnd - started);
    const drainSqsMs = sqs.medianLatencyMs();
    const redactedInDrain = backlog.filter((m) => m.body === '').length;
    const throughputPerSec = (redactedInDrain * 1000) / (drainEnd - started);
    // Steady state: the middle 80 % of redactions, timed by when the sandbox emptied each body.
    const times = backlog.flatMap((m) => (m.redactedAt === undefined ? [] : [m.redactedAt])).sort((a, b) => a - b);
    const [t10, t90] = [Math.floor(times.length * 0.1), Math.floor(times.length * 0.9)];
    const steadyThroughputPerSec = times.length < 10 ? 0 : ((t90 - t10) * 1000) / Math.max(1, times[t90]! - times[t10]!);
    const drainCalls = sqs.total() - backlogCalls;

    // Phase 2: steady pace below the measured throughput.
    const offeredPerSec = Math.max(1, throughputPerSec * options.pacedLoad);
    const paced = await sendMessages(stack, Math.round(offeredPerSec * options.pacedSeconds), { perSecond: offeredPerSec });
    await waitUntil(allRedacted(paced), 30_000);
    await sleep(100); // the last batches' DeleteMessageBatch
    await poller.stop();
    const pacedCalls = sqs.total() - backlogCalls - drainCalls;
    const latencies = paced.flatMap((m) => {
      const accepted = enqueuedAt.get(m.id);
      return m.redactedAt === undefined || accepted === undefined ? [] : [m.redactedAt - accepted];
    });

    // Both phases sent terminal messages only: whatever is neither redacted nor parked is lost.
    const all = [...backlog, ...paced];
    const dlq = deadLetters(stack);
    const redacted = all.filter((m) => m.body === '').length;
    return {
      totalConcurrency,
      latencyMs: options.latencyMs,
      physicalLimitPerSec,
      backlogSendPerSec,
      throughputPerSec,
      steadyThroughputPerSec,
      efficiency: throughputPerSec / physicalLimitPerSec,
      drainCpuShare,
      drainBreakdown,
      drainSqsMs,
      latency: { offeredPerSec, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), messages: paced.length },
      messages: all.length,
      redacted,
      lost: all.filter((m) => m.body !== '' && !dlq.has(m.id)).length,
      deadLettered: dlq.size,
      sqsCalls: sqs.byCommand(),
      sqsCallsPerMessage: sqs.total() / Math.max(1, redacted),
      sqsCallsPerMessageByPhase: {
        backlog: (backlogCalls + drainCalls) / Math.max(1, backlog.length),
        paced: pacedCalls / Math.max(1, paced.length),
      },
      secretLoads: secretLoads.count(),
      secretLoadsPerMessage: secretLoads.count() / Math.max(1, redacted),
      invocations,
    };
  } finally {
    secretLoads.restore();
    await stack.stop();
  }
}

/** A cheap "all bodies empty" check for polling: messages are redacted roughly in order, so a cursor skips the done ones. */
function allRedacted(messages: readonly SandboxMessage[]): () => boolean {
  let cursor = 0;
  return () => {
    while (cursor < messages.length && messages[cursor]!.body === '') cursor++;
    return cursor === messages.length;
  };
}

/**
 * Sends `count` Twilio SMS through the sandbox (callbacks `sent` → 204, `delivered` → 200), either
 * as fast as `concurrency` senders go or at a steady `perSecond`. Throws if any callback was not
 * answered so: a refused callback would make every figure meaningless.
 */
async function sendMessages(stack: LocalStack, count: number, pace: { concurrency: number } | { perSecond: number }): Promise<SandboxMessage[]> {
  const sent: SandboxMessage[] = [];
  const sendOne = async () => {
    const { message, deliveries } = await stack.sender.send('twilio', { final: 'delivered' });
    const answers = deliveries.map((d) => `${d.status}:${d.answered}`).join(',');
    if (answers !== 'sent:204,delivered:200') throw new Error(`unexpected callback answers ${answers}`);
    sent.push(message);
  };
  if ('concurrency' in pace) {
    let next = 0;
    await Promise.all(
      Array.from({ length: pace.concurrency }, async () => {
        while (next++ < count) await sendOne();
      }),
    );
    return sent;
  }
  // Steady pace: message i starts at i / perSecond, whatever the earlier ones are doing.
  const started = nowMs();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / pace.perSecond - nowMs();
    if (wait > 1) await sleep(wait);
    inFlight.push(sendOne());
  }
  await Promise.all(inFlight);
  return sent;
}

/**
 * The event source mapping as the stack wires it (one execution environment per concurrent
 * invocation), with each invocation timed into `into`.
 */
export function timedPoller(stack: LocalStack, options: Pick<PipelineOptions, 'batchSize'>, into: Invocation[], inFlight: { count: number }): SqsPoller {
  return new SqsPoller({
    sqs: stack.queues.sqs,
    queueUrl: stack.queues.queueUrl,
    handlers: stack.redactorDeps.map((deps, slot) => timed(createRedactorHandler(deps), into, slot, inFlight)),
    batchSize: options.batchSize,
    invocationTimeoutMs: 30_000,
  });
}

/** Wraps the redactor handler to record each invocation's wall time and batch size, and count those running. */
function timed(handler: RedactorHandler, into: Invocation[], slot: number, inFlight: { count: number }): RedactorHandler {
  return async (event: SQSEvent, context) => {
    const startedAt = nowMs();
    inFlight.count += 1;
    try {
      return await handler(event, context);
    } finally {
      inFlight.count -= 1;
      into.push({ slot, startedAt, durationMs: nowMs() - startedAt, records: event.Records.length });
    }
  };
}

/** Splits the drain's efficiency into time inside the handler and the handler's own efficiency. */
function breakdown(invocations: readonly Invocation[], options: PipelineOptions, wallMs: number): PipelineResult['drainBreakdown'] {
  const busyMs = invocations.reduce((sum, i) => sum + i.durationMs, 0);
  const providerMs = invocations.reduce((sum, i) => sum + i.records * options.latencyMs, 0);
  const bySlot = new Map<number, Invocation[]>();
  for (const i of invocations) if (i.slot >= 0) bySlot.set(i.slot, [...(bySlot.get(i.slot) ?? []), i]);
  const gaps = [...bySlot.values()].flatMap((list) =>
    list.slice(1).map((next, k) => next.startedAt - (list[k]!.startedAt + list[k]!.durationMs)),
  );
  return {
    busy: busyMs / (options.maxConcurrency * wallMs),
    handler: providerMs / (busyMs * options.providerConcurrency),
    gapMs: median(gaps),
    invocationMs: median(invocations.map((i) => i.durationMs)),
    recordsPerInvocation: median(invocations.map((i) => i.records)),
  };
}

/**
 * Job messageId → when its SendMessage succeeded (the receiver answers 200 right after), taken from
 * the requests on the stack's SQS client. Only job bodies (with a `messageId`) are recorded.
 */
function recordEnqueueTimes(client: LocalStack['queues']['sqs']): Map<string, number> {
  const times = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'SendMessageCommand') {
        const messageId = (JSON.parse((args.input as { MessageBody?: string }).MessageBody ?? '{}') as { messageId?: unknown }).messageId;
        if (typeof messageId === 'string') times.set(messageId, Date.now());
      }
      return result;
    },
    { step: 'initialize', name: 'benchEnqueueTimes' },
  );
  return times;
}

/**
 * Billed redactor ms per record: every invocation's duration rounded up to 1 ms (Lambda's billing
 * step), summed, over the records those invocations handled. A sum rather than a median of
 * per-invocation ratios, because a 1-record invocation bills as much per record as it takes, and a
 * median over invocations would weigh it like a 10-record one.
 */
export function billedMsPerRecord(invocations: readonly Invocation[]): number {
  const billed = invocations.reduce((sum, i) => sum + Math.ceil(i.durationMs), 0);
  return billed / Math.max(1, invocations.reduce((sum, i) => sum + i.records, 0));
}
