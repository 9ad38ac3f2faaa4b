import { SQS_LIMITS } from '../config/aws-limits';
import type { Account } from '../config/config';
import { redactionBasis, secondsUntilRedaction, type RedactionBasis } from '../redaction/redaction-rule';
import type { StatusEvent } from './status-event';

/**
 * The longest wait a queued job carries: one visibility timeout of SQS (12 h). A longer retention is
 * served by the reconciliation sweep, which finds the message in the provider's own list when it is due.
 */
export const MAX_QUEUED_RETENTION_SECONDS = SQS_LIMITS.maxTotalVisibilitySeconds;

/** What the receiver does with an authentic status callback. */
export type CallbackDecision =
  /** Enqueue a redaction job, to run no earlier than `afterSeconds` from now. */
  | { readonly kind: 'redact'; readonly afterSeconds: number; readonly reason: RedactionBasis }
  /** Acknowledge and do nothing: the message is not final yet. */
  | { readonly kind: 'ignore' }
  /** Acknowledge: the message is final, but its retention outlasts a queue; the sweep redacts it when due. */
  | { readonly kind: 'leave-to-sweep'; readonly afterSeconds: number; readonly reason: RedactionBasis };

/**
 * Terminal → redact (after the account's `redactAfterSeconds`). `sent` with the account's age rule →
 * redact once the message has stayed at `sent` that long: a later receipt makes that a harmless
 * second redaction, and a provider that still calls it in progress answers "not final", which is retried.
 */
export function decideCallback(event: StatusEvent, account: Account): CallbackDecision {
  const basis = redactionBasis(event, account);
  if (basis === undefined) return { kind: 'ignore' };
  const afterSeconds = secondsUntilRedaction(basis, account);
  // A sent-age wait is carried by the job, hop by hop; a retention beyond one visibility timeout is not.
  if (account.redactAfterSeconds > MAX_QUEUED_RETENTION_SECONDS) {
    return { kind: 'leave-to-sweep', afterSeconds, reason: basis };
  }
  return { kind: 'redact', afterSeconds, reason: basis };
}

/**
 * The longest wait a queued job of this account carries (its `notBefore`): 0 where the sweep serves
 * the retention, else the retention or the sent age. Synth sizes receives and alarms from it.
 */
export function longestQueuedWaitSeconds(account: Account): number {
  return account.redactAfterSeconds > MAX_QUEUED_RETENTION_SECONDS ? 0 : Math.max(account.sentAgeSeconds, account.redactAfterSeconds);
}
