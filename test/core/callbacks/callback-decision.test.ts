import { describe, expect, it } from 'vitest';
import { decideCallback } from '../../../functions/core/callbacks/callback-decision';
import { parseAccounts } from '../../../functions/core/config/config';
import type { StatusEvent } from '../../../functions/core/callbacks/status-event';
import { twilioAccount } from '../../support/twilio-fixtures';

const event = (overrides: Partial<StatusEvent> = {}): StatusEvent => ({
  provider: 'twilio',
  route: twilioAccount().route,
  messageId: 'SM' + '0'.repeat(32),
  status: 'delivered',
  ...overrides,
});

describe('Function: decideCallback', () => {
  const plain = parseAccounts([twilioAccount()])[0]!;
  const aged = parseAccounts([twilioAccount({ sentAgeSeconds: 172_800, redactAfterSeconds: 600 })])[0]!;

  it.each([
    { name: 'a terminal status', account: plain, event: event(), decision: { kind: 'redact', afterSeconds: 0, reason: 'terminal' } },
    { name: 'a terminal status with redactAfterSeconds', account: aged, event: event(), decision: { kind: 'redact', afterSeconds: 600, reason: 'terminal' } },
    { name: 'sent without an age rule', account: plain, event: event({ status: 'sent' }), decision: { kind: 'ignore' } },
    { name: 'sent with an age rule', account: aged, event: event({ status: 'sent' }), decision: { kind: 'redact', afterSeconds: 172_800, reason: 'sent-age' } },
    { name: 'queued with an age rule', account: aged, event: event({ status: 'queued' }), decision: { kind: 'ignore' } },
    { name: 'an inbound sent with an age rule', account: aged, event: event({ status: 'sent', inbound: true }), decision: { kind: 'ignore' } },
  ])('$name → $decision.kind', ({ account, event: e, decision }) => {
    expect(decideCallback(e, account)).toEqual(decision);
  });
});
