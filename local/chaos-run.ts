import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import { CountingLogger } from './counting-logger';
import { ALL_PROVIDERS, deadLetters, demoResult, drawOutcome, progressOf, runDemo, sandboxTruth, sendDemoMessages, waitForQueueIdle, type DemoProgress, type DemoResult } from './demo-run';
import { judgeSandbox } from './sandbox-ground-truth';
import { LOCAL_ROUTES, LOCAL_SWEEP_SETTLE_SECONDS, startLocalStack, type LocalStack } from './local-stack';
import { runLocalSweep } from './local-sweep';
import { statusWalk } from './sandbox/callback-sender';
import { FAULT_PROFILES, NO_FAULTS, seededRandom, type FaultProfile } from './sandbox/fault-profile';

/**
 * The chaos profiles. `chaos`: the provider APIs fail (5xx, 429, timeouts, "not final yet") and the
 * callbacks come twice or out of order. `reconcile`: callbacks are lost instead (10% of final
 * callbacks never sent; for a stretch the receiver's queue sends fail, so every final callback is
 * answered 503 and lost: Twilio does not retry a 5xx by default, and the sender's few quick retries
 * land inside the stretch too), 1,000 messages were sent before the run and never announced, and the
 * sweep must find them all from the provider's own list. `coverage`: the scheduled sweep on the
 * sandbox's clock, with every callback lost (runCoverageChaos).
 */
export const CHAOS_PROFILES = ['chaos', 'reconcile', 'coverage'] as const;
export type ChaosProfile = (typeof CHAOS_PROFILES)[number];

/** The reconcile profile's faults: everything happens on the callback side; the provider APIs answer. */
export const RECONCILE_FAULTS: FaultProfile = {
  ...NO_FAULTS,
  latencyMs: 5,
  duplicateCallbackRate: 0.1,
  reorderCallbackRate: 0.1,
  dropFinalCallbackRate: 0.1,
};

export interface ChaosOptions {
  readonly messages: number;
  /** @default 'chaos' (the coverage profile has its own runner: chaos-coverage.ts) */
  readonly profile?: Exclude<ChaosProfile, 'coverage'>;
  /** @default the profile's own faults */
  readonly faults?: FaultProfile;
  /** How many times the redactor worker is killed mid-batch and restarted. @default 2 */
  readonly kills?: number;
  /** @default 1234 */
  readonly seed?: number;
  /** Reconcile: messages seeded as history sent before the run, over every provider. @default 1000 */
  readonly history?: number;
  /** Reconcile: how long every callback is answered 503 (from 40% of the messages sent on). @default 3000 */
  readonly outageMs?: number;
  /** Reconcile: run the sweep (off only to show that the run then fails). @default true */
  readonly sweep?: boolean;
  /** Gives up waiting for the pipeline after this long (per wait). @default 300000 */
  readonly timeoutMs?: number;
  /** Where the run's secrets and endpoints files go. @default '.local-state/chaos' */
  readonly stateDir?: string;
  /**
   * Subaccounts of the Twilio main account, served by one parent entry with the main account's secret:
   * their messages, callbacks (signed with each one's own token) and redactions go through the
   * sandbox with the rest. @default 3
   */
  readonly twilioSubaccounts?: number;
  /** About once a second: the phase and the counts so far. */
  readonly onProgress?: (progress: ChaosProgress) => void;
}

/** Where a chaos run is. */
export interface ChaosProgress extends DemoProgress {
  readonly phase: 'seeding' | 'sending' | 'draining' | 'sweeping' | 'draining sweep jobs';
  /** Messages the sweep has listed so far (reconcile). */
  readonly swept: number;
}

export interface ChaosResult extends DemoResult {
  readonly profile: ChaosProfile;
  readonly kills: number;
  /** Reconcile: history messages seeded before the run. */
  readonly seeded: number;
  /** Reconcile: callbacks our endpoint answered 503 during the outage. */
  readonly callbacks503: number;
  /** Reconcile: messages the sweep listed, over every route. */
  readonly sweptListed: number;
  /** Reconcile: bodies that were held when the sweep started and are empty after its jobs ran. */
  readonly recoveredBySweep: number;
  /** The Twilio subaccounts' share, judged alone (also counted in the totals). */
  readonly subaccounts: SubaccountTally;
}

/** What the Twilio subaccounts (one parent entry, one secret) sent, and how it ended. */
export interface SubaccountTally {
  readonly count: number;
  readonly messages: number;
  readonly redacted: number;
  readonly lost: number;
  readonly wronglyRedacted: number;
}

/**
 * The chaos run: the full local stack under a fault profile, with the redactor worker killed
 * mid-batch and restarted. Every final message in the sandbox, judged by the providers' documented
 * final statuses, must end redacted or dead-lettered with a reason; none lost, none wrongly redacted.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const profile = options.profile ?? 'chaos';
  const seed = options.seed ?? 1234;
  const log = new CountingLogger();
  const stack = await startLocalStack({
    faults: options.faults ?? (profile === 'reconcile' ? RECONCILE_FAULTS : FAULT_PROFILES.chaos),
    seed,
    log,
    // Short enough that hung provider calls and killed batches come back quickly.
    httpTimeoutMs: 500,
    visibilityTimeoutSeconds: 3,
    maxConcurrency: 4,
    providerConcurrency: 10,
    port: 0,
    stateDir: options.stateDir ?? '.local-state/chaos',
    twilioSubaccounts: options.twilioSubaccounts ?? 3,
  });
  const plannedKills = options.kills ?? 2;
  let kills = 0;
  const run = { phase: 'sending' as ChaosProgress['phase'], swept: 0 };
  // Kill the worker while batches are in flight: after a share of the provider traffic has happened.
  const killer = setInterval(() => {
    const threshold = ((kills + 1) * options.messages) / (plannedKills + 1);
    if (kills < plannedKills && stack.sandbox.requests.length >= threshold) {
      kills += 1;
      stack.poller.kill();
      stack.poller.start();
    }
  }, 20);
  const tick = () => {
    const progress = progressOf(stack, log);
    // Every message sent: what remains is the pipeline working through its queue.
    const phase = run.phase === 'sending' && progress.sent >= options.messages ? 'draining' : run.phase;
    options.onProgress!({ ...progress, phase, swept: run.swept });
  };
  const ticker = options.onProgress ? setInterval(tick, 1000) : undefined;
  try {
    if (profile === 'chaos') {
      const result = await runDemo(stack, { messages: options.messages, concurrency: 32, seed, timeoutMs: options.timeoutMs ?? 300_000, log });
      return { ...result, profile, kills, seeded: 0, callbacks503: 0, sweptListed: 0, recoveredBySweep: 0, subaccounts: subaccountTally(stack) };
    }
    return { ...(await reconcile(stack, options, log, run)), kills, subaccounts: subaccountTally(stack) };
  } finally {
    clearInterval(killer);
    if (ticker) clearInterval(ticker);
    await stack.stop();
    await log.close();
  }
}

const DAY_MS = 86_400_000;

/** The reconcile profile once the stack is up: seed, send through the outage, drain, sweep, drain. */
async function reconcile(
  stack: LocalStack,
  options: ChaosOptions,
  log: CountingLogger,
  run: { phase: ChaosProgress['phase']; swept: number },
): Promise<Omit<ChaosResult, 'kills' | 'subaccounts'>> {
  const started = Date.now();
  const seed = options.seed ?? 1234;
  const timeoutMs = options.timeoutMs ?? 300_000;
  run.phase = 'seeding';
  const historyFrom = started - 30 * DAY_MS;
  const seeded = seedHistory(stack, options.history ?? 1000, historyFrom, started, seed);

  // Every callback is answered 503 for a stretch: the receiver's queue sends fail (as when SQS is down).
  const outageMs = options.outageMs ?? 3000;
  let outageStart: number | undefined;
  let callbacks503 = 0;
  stack.receiverSqs.middlewareStack.add(
    (next) => async (args) => {
      const sent = stack.sandbox.messages.size - seeded;
      if (outageStart === undefined && sent >= options.messages * 0.4) outageStart = Date.now();
      if (outageStart !== undefined && Date.now() - outageStart < outageMs) {
        callbacks503++;
        throw Object.assign(new Error('chaos: SQS is unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'chaosReceiverOutage' },
  );

  run.phase = 'sending';
  const tracked = await sendDemoMessages(stack, { messages: options.messages, concurrency: 32, seed });
  const sentAt = Date.now();
  run.phase = 'draining';
  await waitForQueueIdle(stack, timeoutMs);

  let sweptListed = 0;
  let recoveredBySweep = 0;
  if (options.sweep !== false) {
    // The sweep leaves the last few seconds to the callbacks: let the last messages age past that.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentAt + (LOCAL_SWEEP_SETTLE_SECONDS + 1) * 1000 - Date.now())));
    const heldBefore = sandboxTruth(stack).heldIds;
    run.phase = 'sweeping';
    for (const route of [...Object.values(LOCAL_ROUTES), ...stack.subaccounts.map((s) => s.route)]) {
      const base = sweptListed;
      const totals = await runLocalSweep(stack, {
        route,
        since: new Date(historyFrom - DAY_MS),
        until: new Date(Date.now() + 1000),
        onPage: (t) => (run.swept = base + t.listed),
      });
      sweptListed += totals.listed;
    }
    run.phase = 'draining sweep jobs';
    await waitForQueueIdle(stack, timeoutMs);
    for (const id of heldBefore) if (stack.sandbox.messages.get(id)?.body === '') recoveredBySweep++;
  }
  return {
    ...demoResult(stack, tracked, { messages: options.messages, log }, started),
    profile: 'reconcile',
    seeded,
    callbacks503,
    sweptListed,
    recoveredBySweep,
  };
}

/** The subaccounts' messages (every one the sandbox holds under a subaccount), judged alone. */
function subaccountTally(stack: LocalStack): SubaccountTally {
  const messages = [...stack.sandbox.messages.values()].filter((m) => m.account !== undefined);
  const truth = judgeSandbox(messages, deadLetters(stack));
  return { count: stack.subaccounts.length, messages: messages.length, redacted: truth.redacted, lost: truth.lost, wronglyRedacted: truth.wronglyRedacted };
}

/** History sent before the run, over every provider and the Twilio subaccounts, with the demo's mix of outcomes; no callback ever announces it. */
function seedHistory(stack: LocalStack, count: number, from: number, to: number, seed: number): number {
  const random = seededRandom(seed + 1);
  let seeded = 0;
  const targets: Array<{ provider: ProviderName; account?: string }> = [
    ...ALL_PROVIDERS.map((provider) => ({ provider })),
    ...stack.subaccounts.map((s) => ({ provider: 'twilio' as const, account: s.sid })),
  ];
  targets.forEach(({ provider, account }, p) => {
    const n = Math.floor(count / targets.length) + (p < count % targets.length ? 1 : 0);
    const outcomes = Array.from({ length: n }, () => drawOutcome(random, provider));
    stack.sandbox.seedHistory(provider, {
      ...(account === undefined ? {} : { account }),
      count: n,
      // Whole milliseconds, as every provider's dates are (a fraction would break a sandbox page token).
      sentAt: (i) => Math.round(from + ((to - from) * (i + 0.5)) / Math.max(1, n)),
      // The status it ended at, in the provider's words (Vonage SMS `expired`, not `undelivered`).
      status: (i) => statusWalk(provider, outcomes[i]!.final, outcomes[i]!.mms).at(-1)!,
      media: (i) => (outcomes[i]!.mms ? 1 : 0),
    });
    seeded += n;
  });
  return seeded;
}

/** The one summary line the chaos run prints. */
export function chaosSummary(r: ChaosResult): string {
  const reasons = Object.entries(r.deadLetterReasons).map(([reason, n]) => `${reason}=${n}`).join(' ') || 'none';
  const reconcile = r.profile === 'reconcile' ? ` seeded=${r.seeded} callbacks-503=${r.callbacks503} swept=${r.sweptListed}` : '';
  const recovered = r.profile === 'reconcile' ? ` recovered-by-sweep=${r.recoveredBySweep}` : '';
  return (
    `chaos(${r.profile}): messages=${r.sent}${reconcile} terminal=${r.terminal} redacted=${r.redacted} dead-lettered=${r.deadLettered} (${reasons}) ` +
    `lost=${r.lost} wrongly-redacted=${r.wronglyRedacted}${recovered} retries=${r.retrying} worker-kills=${r.kills} ` +
    `subaccounts=${r.subaccounts.count} (messages=${r.subaccounts.messages} redacted=${r.subaccounts.redacted} lost=${r.subaccounts.lost} wrongly-redacted=${r.subaccounts.wronglyRedacted}) ` +
    `p50=${r.latencyMs.p50}ms p99=${r.latencyMs.p99}ms time=${(r.durationMs / 1000).toFixed(1)}s`
  );
}
