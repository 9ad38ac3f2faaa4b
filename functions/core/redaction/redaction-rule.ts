import type { Account } from '../config/config';
import type { ProviderName } from '../provider-rules/provider-name';
import { isTerminalEvent } from '../provider-rules/terminal-rules';

/** What both entries (status callbacks and the sweep over the provider's list) know of a message. */
export interface MessageFacts {
  readonly provider: ProviderName;
  readonly status: string;
  readonly hasMedia?: boolean;
  readonly inbound?: boolean;
}

/**
 * Why a message may be redacted: it reached a final status (`terminal`), or it has stayed at `sent`
 * past the account's `sentAgeSeconds` (`sent-age`: carriers do not always return a receipt).
 */
export type RedactionBasis = 'terminal' | 'sent-age';

/**
 * The one rule, shared by the receiver and the sweep, for whether a message is finished at the
 * provider. Undefined: not finished, never redacted.
 */
export function redactionBasis(facts: MessageFacts, account: Account): RedactionBasis | undefined {
  if (isTerminalEvent(facts, account.terminalStatuses)) return 'terminal';
  if (facts.status === 'sent' && account.sentAgeSeconds > 0 && facts.inbound !== true) return 'sent-age';
  return undefined;
}

/**
 * Seconds from the moment the basis was established (the terminal status, or the `sent` status) to
 * the redaction: the account's retention, and for `sent-age` at least the age rule itself.
 */
export function secondsUntilRedaction(basis: RedactionBasis, account: Account): number {
  return basis === 'terminal' ? account.redactAfterSeconds : Math.max(account.sentAgeSeconds, account.redactAfterSeconds);
}
