import type { ProviderName } from '../provider-rules/provider-name';

/**
 * A parsed, authenticated status callback. Deliberately narrow: it never holds the message body,
 * media URLs or phone numbers, so nothing downstream can leak them.
 */
export interface StatusEvent<Name extends string = ProviderName> {
  readonly provider: Name;
  readonly route: string;
  /** The provider's message id (Twilio `MessageSid`, SignalWire `id`, CarrierX `message_sid`). */
  readonly messageId: string;
  readonly status: string;
  /** Provider error code on failed/undelivered messages (a number as text, never a description). */
  readonly errorCode?: string;
  /** True when the message carries media (MMS), so media deletion and MMS status rules apply. */
  readonly hasMedia?: boolean;
  /** True for messages the account received (not sent), where the provider says so. */
  readonly inbound?: boolean;
}
