import type { Account } from './config';
import type { StatusEvent } from './status-event';
import { isTerminalEvent } from './terminal-rules';

/** What the receiver does with an authentic status callback. */
export type CallbackDecision =
  /** Enqueue a redaction job, to run no earlier than `afterSeconds` from now. */
  | { readonly kind: 'redact'; readonly afterSeconds: number; readonly reason: 'terminal' | 'sent-age' }
  /** Acknowledge and do nothing: the message is not final yet. */
  | { readonly kind: 'ignore' };

/**
 * Terminal → redact (after the account's `redactAfterSeconds`). `sent` with the account's age rule →
 * redact once the message has stayed at `sent` that long: a later receipt makes that a harmless
 * second redaction, and a provider that still calls it in progress answers "not final", which is retried.
 */
export function decideCallback(event: StatusEvent, account: Account): CallbackDecision {
  if (isTerminalEvent(event, account.terminalStatuses)) {
    return { kind: 'redact', afterSeconds: account.redactAfterSeconds, reason: 'terminal' };
  }
  if (event.status === 'sent' && account.sentAgeSeconds > 0 && event.inbound !== true) {
    return { kind: 'redact', afterSeconds: Math.max(account.sentAgeSeconds, account.redactAfterSeconds), reason: 'sent-age' };
  }
  return { kind: 'ignore' };
}
