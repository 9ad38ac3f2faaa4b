import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { deadLetters } from '../../local/demo-run';
import { runLocalSweep } from '../../local/local-sweep';
import { LOCAL_ROUTES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { NO_FAULTS } from '../../local/sandbox/fault-profile';
import { waitFor } from '../support/wait-for';

/**
 * A backfill through the local stack against the sandbox's per-account concurrency cap C: three
 * redactor invocations, five records each in flight, so up to 15 requests would reach an account
 * whose provider takes 6. With maxConcurrentRequests 6 each invocation keeps to 2 and the provider
 * never answers 429; without a usable limit it does, and the retries still redact everything.
 */
const CAP = 6;
const MESSAGES = 120;
const DAY = 86_400_000;

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function backfillAgainstCap(provider: ProviderName, maxConcurrentRequests: number) {
  stack = await startLocalStack({
    stateDir: mkdtempSync(join(tmpdir(), 'redactor-test-limit-')),
    maxConcurrency: 3,
    providerConcurrency: 5,
    batchSize: 10,
    maxConcurrentRequests,
  });
  stack.sandbox.concurrencyCap = CAP;
  stack.sandbox.faults = { ...NO_FAULTS, latencyMs: 20 };
  const now = Date.now();
  const seeded = stack.sandbox.seedHistory(provider, { count: MESSAGES, sentAt: (i) => now - 2 * DAY + i * 1000, status: 'delivered' });
  const totals = await runLocalSweep(stack, { route: LOCAL_ROUTES[provider], since: new Date(now - 3 * DAY), until: new Date(now), settleSeconds: 0 });
  expect(totals.redact).toEqual({ delivered: MESSAGES });
  await waitFor(() => seeded.every((m) => m.body === ''), 60_000, 'every seeded body redacted');
  return { usage: stack.sandbox.usage(provider), deadLettered: deadLetters(stack).size };
}

describe.each(['twilio', 'signalwire-rest'] as const)('Backfill under a provider concurrency cap (%s)', (provider) => {
  it('causes no 429 when the account limit is the cap', async () => {
    const { usage, deadLettered } = await backfillAgainstCap(provider, CAP);
    expect(usage.throttled).toBe(0);
    expect(usage.peakInFlight).toBeLessThanOrEqual(CAP);
    expect(deadLettered).toBe(0);
  });

  it('causes 429s when the limit is above what the invocations can use, and the retries still redact everything', async () => {
    const { usage, deadLettered } = await backfillAgainstCap(provider, 10_000);
    expect(usage.throttled).toBeGreaterThan(0);
    expect(deadLettered).toBe(0);
  });
});
