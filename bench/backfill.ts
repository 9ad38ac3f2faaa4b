import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { deadLetters } from '../local/demo-run';
import { LOCAL_ROUTES, startLocalStack } from '../local/local-stack';
import { NO_FAULTS } from '../local/sandbox/fault-profile';
import { timedPoller, type Invocation } from './pipeline';
import { median, nowMs, waitUntil } from './stats';

export interface BackfillOptions {
  /** History messages seeded at the sandbox and backfilled. */
  readonly messages: number;
  /** Event source mapping MaximumConcurrency (concurrent redactor invocations). */
  readonly maxConcurrency: number;
  /** Records one invocation redacts at once (PROVIDER_CONCURRENCY). */
  readonly providerConcurrency: number;
  readonly batchSize: number;
  /** The account's maxConcurrentRequests: each invocation takes floor(this / maxConcurrency). */
  readonly accountLimit: number;
  /** Sandbox answer latency L, ms. */
  readonly latencyMs: number;
  /** Where the local stack writes its secrets file (a temp dir). */
  readonly stateDir: string;
}

export interface BackfillResult {
  readonly messages: number;
  readonly redacted: number;
  readonly deadLettered: number;
  /** The sandbox's per-account cap C: the account limit plus the one request the sweep's paging holds. */
  readonly cap: number;
  readonly latencyMs: number;
  /** C / L, redactions per second if every slot of the cap were always waiting on one redaction. */
  readonly ceilingPerSec: number;
  /** Backfill start (first list request) → last body emptied. */
  readonly elapsedMs: number;
  /** How long the sweep took to list every page and enqueue every job, meanwhile the redactors drained. */
  readonly listedMs: number;
  readonly redactionsPerSec: number;
  /** redactionsPerSec / ceilingPerSec. */
  readonly efficiency: number;
  /** Provider requests (list pages and redactions) and the 429 answers among them. */
  readonly requests: number;
  readonly throttled: number;
  readonly throttledShare: number;
  readonly peakInFlight: number;
  /** Process CPU time during the run, as a share of one core (1 = the event loop never idles). */
  readonly cpuShare: number;
  /** Where the time went: medians of records and ms per redactor invocation, and the share of slot time spent in one. */
  readonly invocations: { readonly records: number; readonly durationMs: number; readonly busy: number };
}

const DAY_MS = 86_400_000;

/**
 * A backfill of history at the provider's pace: `messages` Twilio SMS seeded at the sandbox as sent
 * before deployment (never announced by a callback), the sweep reading them 1,000 per page and
 * enqueueing redaction jobs while the stack's redactor invocations drain the queue, all against the
 * sandbox's concurrency cap C and latency L. Efficiency is redactions per second over C / L; the
 * throttled share is the sandbox's 429 answers over every provider request it saw.
 */
export async function measureBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const stack = await startLocalStack({
    maxConcurrency: options.maxConcurrency,
    providerConcurrency: options.providerConcurrency,
    batchSize: options.batchSize,
    maxConcurrentRequests: options.accountLimit,
    stateDir: options.stateDir,
  });
  try {
    // The sweep pages one request at a time, on top of what the redactor's invocations hold.
    const cap = options.accountLimit + 1;
    stack.sandbox.concurrencyCap = cap;
    stack.sandbox.faults = { ...NO_FAULTS, latencyMs: options.latencyMs };
    const seededAt = Date.now();
    const seeded = stack.sandbox.seedHistory('twilio', {
      count: options.messages,
      sentAt: (i) => seededAt - 2 * DAY_MS + (i % DAY_MS),
      status: (i) => (i % 10 === 0 ? 'undelivered' : 'delivered'),
    });
    stack.sandbox.resetUsage();
    // The stack's poller, replaced by the same one with each invocation timed.
    await stack.poller.stop();
    const invocations: Invocation[] = [];
    const poller = timedPoller(stack, options, invocations, { count: 0 });
    poller.start();

    // The sweep is `npm run sweep -- backfill` against this stack, in its own process as on a laptop or
    // in its own Lambda: its page parsing and job sending must not share the redactors' event loop.
    const sweep = sweepCli(options.stateDir, new Date(seededAt - 3 * DAY_MS), new Date(seededAt));
    // The backfill starts with the sweep's first list request at the provider.
    await waitUntil(() => stack.sandbox.usage('twilio').requests > 0, 60_000, 1);
    const cpuBefore = process.cpuUsage();
    const started = nowMs();
    let listedMs = Number.NaN;
    void sweep.then(() => {
      listedMs = nowMs() - started;
    }, () => undefined);
    let cursor = 0;
    const allRedacted = () => {
      while (cursor < seeded.length && seeded[cursor]!.body === '') cursor++;
      return cursor === seeded.length;
    };
    // Bounded: a broken pipeline ends the run after 4 × the ideal time (at least 30 s).
    const idealMs = (options.messages * options.latencyMs) / options.accountLimit;
    await sweep;
    await waitUntil(allRedacted, Math.max(30_000, 4 * idealMs), 2);
    // The body is emptied when the sandbox takes the request; the redaction ends when its answer is sent.
    await waitUntil(() => stack.sandbox.usage('twilio').inFlight === 0, 10_000, 1);
    const elapsedMs = nowMs() - started;
    const cpu = process.cpuUsage(cpuBefore);
    await poller.stop();

    const usage = stack.sandbox.usage('twilio');
    const redacted = seeded.filter((m) => m.body === '').length;
    const ceilingPerSec = stack.sandbox.ceilingPerSecond();
    const redactionsPerSec = (redacted * 1000) / elapsedMs;
    return {
      messages: seeded.length,
      redacted,
      deadLettered: deadLetters(stack).size,
      cap,
      latencyMs: options.latencyMs,
      ceilingPerSec,
      elapsedMs,
      listedMs,
      redactionsPerSec,
      efficiency: redactionsPerSec / ceilingPerSec,
      requests: usage.requests,
      throttled: usage.throttled,
      throttledShare: usage.throttled / Math.max(1, usage.requests),
      peakInFlight: usage.peakInFlight,
      cpuShare: (cpu.user + cpu.system) / 1000 / elapsedMs,
      invocations: breakdown(invocations, options.maxConcurrency, elapsedMs),
    };
  } finally {
    await stack.stop();
  }
}

function breakdown(invocations: readonly Invocation[], maxConcurrency: number, wallMs: number): BackfillResult['invocations'] {
  return {
    records: median(invocations.map((i) => i.records)),
    durationMs: median(invocations.map((i) => i.durationMs)),
    busy: invocations.reduce((sum, i) => sum + i.durationMs, 0) / (maxConcurrency * wallMs),
  };
}

/** Runs `npm run sweep -- backfill` for the local Twilio account in a child process; rejects unless it exits 0. */
function sweepCli(stateDir: string, since: Date, until: Date): Promise<void> {
  const args = ['--import', 'tsx', 'cli/sweep.ts', 'backfill', '--route', LOCAL_ROUTES.twilio,
    '--since', since.toISOString(), '--until', until.toISOString(), '--endpoints', join(stateDir, 'endpoints.json')];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sweep backfill exited ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`))));
  });
}
