/**
 * One message as the provider's own message list shows it, reduced to what reconciliation needs.
 * The body is tested for emptiness in memory by the lister and dropped: it never reaches this type,
 * a log line, a queue or a file. No phone numbers either.
 */
export interface ListedMessage {
  /** The provider's message id (Twilio `sid`, SignalWire `id`, CarrierX `message_sid`). */
  readonly id: string;
  readonly status: string;
  /** When the provider created the message. */
  readonly createdAt: Date;
  /** When it was handed to the carrier, where the provider says so. */
  readonly sentAt?: Date;
  /** When the provider last changed it (status, or a redaction): the best stand-in for "became final". */
  readonly updatedAt?: Date;
  /**
   * Whether the message still holds a non-empty body at the provider; `unknown` where the provider's
   * list omits the body and offers no way to read it (SignalWire REST messages sent through Relay).
   */
  readonly hasBody: boolean | 'unknown';
  /** Media items attached (MMS). */
  readonly mediaCount: number;
  /** True for messages the account received. */
  readonly inbound: boolean;
}
