import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosSummary, runChaos } from '../../local/chaos-run';

/**
 * The small chaos run inside the suite (npm run chaos does 10,000): 500 messages over the four
 * providers and three Twilio subaccounts served by one parent entry (one secret; each subaccount's
 * callbacks signed with its own token, fetched by the receiver with the parent's credentials) with 20% 5xx, 10% 429, 5% timeouts, 5% "not final yet", 10% duplicate and 10% reordered
 * callbacks, and the redactor worker killed mid-batch twice.
 */
describe('Chaos run (500 messages)', () => {
  it('loses nothing and redacts nothing it should not', { timeout: 240_000 }, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'redactor-chaos-'));
    const result = await runChaos({ messages: 500, kills: 2, seed: 99, stateDir }).finally(() => rmSync(stateDir, { recursive: true, force: true }));
    console.log(chaosSummary(result));
    expect(result.lost).toBe(0);
    expect(result.wronglyRedacted).toBe(0);
    expect(result.kills).toBe(2);
    // The faults really happened and were survived.
    expect(result.retrying).toBeGreaterThan(100);
    // Every terminal message is accounted for: redacted, or parked with a reason.
    expect(result.redacted + result.deadLettered).toBeGreaterThanOrEqual(result.terminal);
    // CarrierX cannot blank bodies; nothing else should end in the DLQ under these faults.
    expect(Object.keys(result.deadLetterReasons)).toEqual(['provider-cannot-redact']);
    // The subaccounts' share went through the receiver and the redactor like the rest.
    expect(result.subaccounts).toMatchObject({ count: 3, lost: 0, wronglyRedacted: 0 });
    expect(result.subaccounts.messages).toBeGreaterThan(150);
    expect(result.subaccounts.redacted).toBeGreaterThan(100);
  });
});
