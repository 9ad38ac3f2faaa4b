import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../local/demo-run';
import { startLocalStack } from '../../local/local-stack';
import { judgeSandbox } from '../../local/sandbox-ground-truth';
import type { SandboxMessage } from '../../local/sandbox/sandbox-message';

let next = 0;
const message = (fields: Partial<SandboxMessage> & Pick<SandboxMessage, 'provider' | 'status'>): SandboxMessage => ({
  id: `m${next++}`,
  body: 'held',
  direction: 'outbound',
  media: [],
  mediaSent: 0,
  userData: '',
  redactAttempts: 0,
  ...fields,
});

describe('Function: judgeSandbox (the oracle over every message, from the documented final statuses)', () => {
  it('counts final bodies held without a dead letter as lost, and parked ones with their reason', () => {
    const lost = message({ provider: 'twilio', status: 'delivered' });
    const parked = message({ provider: 'carrierx', status: 'undelivered' });
    const truth = judgeSandbox(
      [lost, parked, message({ provider: 'twilio', status: 'failed', body: '', redactedAt: 1 }), message({ provider: 'twilio', status: 'sent' })],
      new Map([[parked.id, 'provider-cannot-redact']]),
    );
    expect(truth).toEqual({
      terminal: 3,
      redacted: 1,
      deadLettered: 1,
      lost: 1,
      wronglyRedacted: 0,
      deadLetterReasons: { 'provider-cannot-redact': 1 },
      heldIds: new Set([lost.id, parked.id]),
    });
  });

  it('judges an MMS by the media it was sent with, even after the redaction deleted the media', () => {
    // SignalWire MMS get no delivery receipt: `sent` is final for them, never for an SMS.
    const mms = message({ provider: 'signalwire-compat', status: 'sent', body: '', redactedAt: 1, media: [], mediaSent: 1 });
    const sms = message({ provider: 'signalwire-compat', status: 'sent', body: '', redactedAt: 1 });
    const truth = judgeSandbox([mms, sms], new Map());
    expect(truth).toMatchObject({ terminal: 1, redacted: 1, lost: 0, wronglyRedacted: 1 });
  });

  it('counts a status the product may treat as final, but the provider does not document as final, as wrongly redacted', () => {
    const truth = judgeSandbox([message({ provider: 'twilio', status: 'sending', body: '', redactedAt: 1 })], new Map());
    expect(truth).toMatchObject({ terminal: 0, wronglyRedacted: 1 });
  });
});

describe('Function: runDemo (what npm start --once judges)', () => {
  it('judges the whole sandbox, not only the demo it sent: history no callback announced is lost', { timeout: 30_000 }, async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'redactor-truth-'));
    const stack = await startLocalStack({ port: 0, stateDir });
    try {
      stack.sandbox.seedHistory('twilio', { count: 5, sentAt: (i) => Date.now() - 86_400_000 - i, status: 'delivered' });
      stack.sandbox.seedHistory('twilio', { count: 3, sentAt: (i) => Date.now() - 86_400_000 - i, status: 'sent' });
      const result = await runDemo(stack, { messages: 8, providers: ['twilio'], timeoutMs: 1000 });
      expect(result.lost).toBe(5);
      expect(result.wronglyRedacted).toBe(0);
      expect(result.sent).toBe(8);
    } finally {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
