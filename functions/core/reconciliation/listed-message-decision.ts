import type { Account } from '../config/config';
import type { ListedMessage } from './listed-message';
import { redactionBasis, secondsUntilRedaction } from '../redaction/redaction-rule';

/** Why the sweep leaves a listed message alone. Stable strings: the sweep's counts and `verify` use them. */
export type SkipReason =
  /** Not finished at the provider (queued, sending, sent without an age rule…): never redacted. */
  | 'not-terminal'
  /** Finished, but still inside the account's retention. */
  | 'retention'
  /** The body is already empty: never requested again. */
  | 'body-empty'
  /** No body, only media: there is no text to redact. */
  | 'media-only'
  /**
   * Became due before this run's window: an earlier run (or the callback path) already had it. Keeps a
   * message that cannot be redacted from being enqueued again by every run; `verify` reports it.
   */
  | 'earlier-window';

export type ListedMessageDecision =
  | { readonly kind: 'redact'; readonly dueAt: Date }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly dueAt?: Date };

/** Which due times a run takes: those in (`dueAfter`, now]. No `dueAfter`: everything due (backfill). */
export interface SweepWindow {
  readonly now: Date;
  readonly dueAfter?: Date;
}

/**
 * When a listed message's body is due for redaction: the moment it became final (the provider's last
 * update, else when it was sent or created) plus the account's retention; for the `sent` age rule, the
 * time it was sent plus that age. Undefined when it is not finished.
 */
export function dueAtOf(message: ListedMessage, account: Account): Date | undefined {
  const basis = redactionBasis({ provider: account.provider, status: message.status, hasMedia: message.mediaCount > 0, inbound: message.inbound }, account);
  if (basis === undefined) return undefined;
  const anchor = basis === 'terminal'
    ? (message.updatedAt ?? message.sentAt ?? message.createdAt)
    : (message.sentAt ?? message.createdAt);
  return new Date(anchor.getTime() + secondsUntilRedaction(basis, account) * 1000);
}

/**
 * The sweep's one decision for a message from the provider's list, built on the same rule as the
 * callback path: a message is redacted only when it is finished, past its retention, still holds a
 * body, and became due inside this run's window.
 */
export function decideListedMessage(message: ListedMessage, account: Account, window: SweepWindow): ListedMessageDecision {
  if (message.hasBody === false) return { kind: 'skip', reason: message.mediaCount > 0 ? 'media-only' : 'body-empty' };
  const dueAt = dueAtOf(message, account);
  if (dueAt === undefined) return { kind: 'skip', reason: 'not-terminal' };
  if (dueAt.getTime() > window.now.getTime()) return { kind: 'skip', reason: 'retention', dueAt };
  if (window.dueAfter !== undefined && dueAt.getTime() <= window.dueAfter.getTime()) {
    return { kind: 'skip', reason: 'earlier-window', dueAt };
  }
  return { kind: 'redact', dueAt };
}
