import { CountingLogger } from './counting-logger';
import { runDemo, type DemoResult } from './demo-run';
import { startLocalStack } from './local-stack';
import { FAULT_PROFILES, type FaultProfile } from './sandbox/fault-profile';

export interface ChaosOptions {
  readonly messages: number;
  readonly faults?: FaultProfile;
  /** How many times the redactor worker is killed mid-batch and restarted. */
  readonly kills?: number;
  readonly seed?: number;
  readonly timeoutMs?: number;
  readonly stateDir?: string;
}

export interface ChaosResult extends DemoResult {
  readonly kills: number;
}

/**
 * The chaos run: the full local stack under the chaos fault profile (5xx, 429, timeouts, "not final
 * yet", duplicate and reordered callbacks), with the redactor worker killed mid-batch and restarted.
 * Every terminal message must end redacted or dead-lettered with a reason; none lost, none wrongly
 * redacted.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = new CountingLogger();
  const stack = await startLocalStack({
    faults: options.faults ?? FAULT_PROFILES.chaos,
    seed: options.seed ?? 1234,
    log,
    // Short enough that hung provider calls and killed batches come back quickly.
    httpTimeoutMs: 500,
    visibilityTimeoutSeconds: 3,
    maxConcurrency: 4,
    providerConcurrency: 10,
    port: 0,
    stateDir: options.stateDir ?? '.local-state/chaos',
  });
  const plannedKills = options.kills ?? 2;
  let kills = 0;
  // Kill the worker while batches are in flight: after a share of the provider traffic has happened.
  const killer = setInterval(() => {
    const threshold = ((kills + 1) * options.messages) / (plannedKills + 1);
    if (kills < plannedKills && stack.sandbox.requests.length >= threshold) {
      kills += 1;
      stack.poller.kill();
      stack.poller.start();
    }
  }, 20);
  try {
    const result = await runDemo(stack, {
      messages: options.messages,
      concurrency: 32,
      seed: options.seed ?? 1234,
      timeoutMs: options.timeoutMs ?? 300_000,
      log,
    });
    return { ...result, kills };
  } finally {
    clearInterval(killer);
    await stack.stop();
  }
}

/** The one summary line the chaos run prints. */
export function chaosSummary(r: ChaosResult): string {
  const reasons = Object.entries(r.deadLetterReasons).map(([reason, n]) => `${reason}=${n}`).join(' ') || 'none';
  return (
    `chaos: messages=${r.sent} terminal=${r.terminal} redacted=${r.redacted} dead-lettered=${r.deadLettered} (${reasons}) ` +
    `lost=${r.lost} wrongly-redacted=${r.wronglyRedacted} retries=${r.retrying} worker-kills=${r.kills} ` +
    `p50=${r.latencyMs.p50}ms p99=${r.latencyMs.p99}ms time=${(r.durationMs / 1000).toFixed(1)}s`
  );
}
