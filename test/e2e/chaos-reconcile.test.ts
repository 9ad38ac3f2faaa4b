import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chaosSummary, runChaos, type ChaosOptions } from '../../local/chaos-run';

/**
 * The small reconcile run inside the suite (npm run chaos -- --profile reconcile does 10,000 messages
 * and 1,000 of history): 200 messages over every provider with 10% of final callbacks dropped,
 * every callback answered 503 for 1.5 s, 200 messages of history no callback ever announced, and
 * the worker killed once. Judged over every message in the sandbox with the documented final statuses.
 */
describe('Chaos run, reconcile profile (200 messages + 200 of history)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'redactor-reconcile-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
  const options: ChaosOptions = { profile: 'reconcile', messages: 200, history: 200, outageMs: 1500, kills: 1, seed: 7, timeoutMs: 60_000, stateDir };

  it('without the sweep, the lost callbacks and the history leave bodies behind: the run fails', { timeout: 60_000 }, async () => {
    const result = await runChaos({ ...options, sweep: false });
    console.log(chaosSummary(result));
    expect(result.seeded).toBe(200);
    // History alone holds well over 100 final bodies no callback will ever announce.
    expect(result.lost).toBeGreaterThan(100);
    expect(result.callbacks503).toBeGreaterThan(0);
    expect(result.recoveredBySweep).toBe(0);
    expect(result.wronglyRedacted).toBe(0);
  });

  it('with the sweep, every final message is redacted or parked with a reason, and nothing else is touched', { timeout: 60_000 }, async () => {
    const result = await runChaos(options);
    console.log(chaosSummary(result));
    expect(result.lost).toBe(0);
    expect(result.wronglyRedacted).toBe(0);
    expect(result.redacted + result.deadLettered).toBe(result.terminal);
    // The sweep, not the callbacks, emptied the history and what the outage and the drops lost.
    expect(result.recoveredBySweep).toBeGreaterThan(100);
    expect(result.callbacks503).toBeGreaterThan(0);
    // CarrierX documents no way to blank a body: its final messages, seeded ones included, are parked.
    expect(Object.keys(result.deadLetterReasons)).toEqual(['provider-cannot-redact']);
    expect(chaosSummary(result)).toMatch(/ lost=0 wrongly-redacted=0 recovered-by-sweep=\d+ /);
    // The subaccounts' history and lost callbacks were found by sweeping each subaccount's own list.
    expect(result.subaccounts).toMatchObject({ count: 3, lost: 0, wronglyRedacted: 0 });
    expect(result.subaccounts.redacted).toBeGreaterThan(50);
  });
});
