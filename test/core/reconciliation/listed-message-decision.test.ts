import { describe, expect, it } from 'vitest';
import { parseAccounts, type AccountConfigInput } from '../../../functions/core/config/config';
import type { ListedMessage } from '../../../functions/core/reconciliation/listed-message';
import { decideListedMessage, dueAtOf } from '../../../functions/core/reconciliation/listed-message-decision';

const NOW = new Date('2026-11-30T12:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

const account = (overrides: Partial<AccountConfigInput> = {}) =>
  parseAccounts([{ route: 'r1', provider: 'twilio', secretId: 's', ...overrides } as AccountConfigInput])[0]!;

const listed = (overrides: Partial<ListedMessage> = {}): ListedMessage => ({
  id: 'SM' + '0'.repeat(32),
  status: 'delivered',
  createdAt: hoursAgo(3),
  sentAt: hoursAgo(3),
  updatedAt: hoursAgo(2),
  hasBody: true,
  mediaCount: 0,
  inbound: false,
  ...overrides,
});

describe('Function: decideListedMessage', () => {
  const plain = account();
  const window = { now: NOW };

  it.each([
    { name: 'a finished message with a body', message: listed(), expected: 'redact' },
    { name: 'an inbound received message', message: listed({ status: 'received', inbound: true }), expected: 'redact' },
    { name: 'a message still queued', message: listed({ status: 'queued' }), expected: 'not-terminal' },
    { name: 'a message at sent without an age rule', message: listed({ status: 'sent' }), expected: 'not-terminal' },
    { name: 'a message whose body is already empty', message: listed({ hasBody: false }), expected: 'body-empty' },
    { name: 'a media-only message', message: listed({ hasBody: false, mediaCount: 2 }), expected: 'media-only' },
  ])('$name → $expected', ({ message, expected }) => {
    const decision = decideListedMessage(message, plain, window);
    expect(decision.kind === 'redact' ? 'redact' : decision.reason).toBe(expected);
  });

  it('never redacts a non-terminal message, however old', () => {
    for (const status of ['queued', 'sending', 'accepted', 'scheduled', 'receiving', 'sent']) {
      expect(decideListedMessage(listed({ status, createdAt: hoursAgo(9_000), updatedAt: hoursAgo(9_000) }), plain, window))
        .toEqual({ kind: 'skip', reason: 'not-terminal' });
    }
  });

  it('keeps a body for the account retention, counted from the last update', () => {
    const week = account({ redactAfterSeconds: 7 * 86_400 });
    expect(decideListedMessage(listed({ updatedAt: hoursAgo(24 * 7 - 1) }), week, window)).toMatchObject({ kind: 'skip', reason: 'retention' });
    expect(decideListedMessage(listed({ updatedAt: hoursAgo(24 * 7 + 1) }), week, window)).toMatchObject({ kind: 'redact' });
  });

  it('redacts a message stuck at sent once the sent age has passed since it was sent', () => {
    const aged = account({ sentAgeSeconds: 86_400 });
    expect(decideListedMessage(listed({ status: 'sent', sentAt: hoursAgo(23) }), aged, window).kind).toBe('skip');
    expect(decideListedMessage(listed({ status: 'sent', sentAt: hoursAgo(25) }), aged, window).kind).toBe('redact');
  });

  it('leaves what became due before the window to the run that had it', () => {
    const decision = decideListedMessage(listed({ updatedAt: hoursAgo(2) }), plain, { now: NOW, dueAfter: hoursAgo(1) });
    expect(decision).toEqual({ kind: 'skip', reason: 'earlier-window', dueAt: hoursAgo(2) });
    expect(decideListedMessage(listed({ updatedAt: hoursAgo(0.5) }), plain, { now: NOW, dueAfter: hoursAgo(1) }).kind).toBe('redact');
  });

  it('anchors on sentAt, then createdAt, when the provider gives no update time', () => {
    expect(dueAtOf(listed({ updatedAt: undefined }), plain)).toEqual(hoursAgo(3));
    expect(dueAtOf(listed({ updatedAt: undefined, sentAt: undefined, createdAt: hoursAgo(5) }), plain)).toEqual(hoursAgo(5));
  });

  it('applies the MMS rule of SignalWire: an MMS at sent is final', () => {
    const signalwire = account({ provider: 'signalwire-compat' });
    expect(decideListedMessage(listed({ status: 'sent', mediaCount: 1 }), signalwire, window).kind).toBe('redact');
    expect(decideListedMessage(listed({ status: 'sent', mediaCount: 0 }), signalwire, window).kind).toBe('skip');
  });
});

describe('Function: recordListedMessage (verify)', () => {
  it('counts per status what is held, what is held past retention and the oldest, by id only', async () => {
    const { newVerifyReport, recordListedMessage, heldPastRetention } = await import('../../../functions/core/reconciliation/verify-report');
    const plain = account({ redactAfterSeconds: 3_600 });
    const report = newVerifyReport(plain, hoursAgo(48), NOW, NOW);
    recordListedMessage(report, listed({ id: 'old', updatedAt: hoursAgo(10) }), plain);
    recordListedMessage(report, listed({ id: 'older', updatedAt: hoursAgo(20) }), plain);
    recordListedMessage(report, listed({ id: 'young', updatedAt: hoursAgo(0.5) }), plain);
    recordListedMessage(report, listed({ id: 'gone', hasBody: false }), plain);
    recordListedMessage(report, listed({ id: 'stuck', status: 'sent' }), plain);
    recordListedMessage(report, listed({ id: 'relay', hasBody: 'unknown' }), plain);
    expect(report.statuses).toEqual([
      { status: 'delivered', listed: 5, held: 3, heldPastRetention: 2, unverifiable: 1, oldest: { id: 'older', dueAt: hoursAgo(19).toISOString() } },
      { status: 'sent', listed: 1, held: 1, heldPastRetention: 0, unverifiable: 0 },
    ]);
    expect(heldPastRetention(report)).toBe(2);
  });
});
