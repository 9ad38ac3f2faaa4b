import type { ProviderName } from './provider-name';
import type { StatusEvent } from '../callbacks/status-event';

/**
 * Every status each provider documents for a message (see docs/providers.md). Used to reject
 * a typo in an account's `terminalStatuses` at synth time rather than never matching at runtime.
 */
export const KNOWN_STATUSES: Readonly<Record<ProviderName, ReadonlySet<string>>> = {
  twilio: new Set([
    'queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered', 'receiving', 'received',
    'accepted', 'scheduled', 'read', 'partially_delivered', 'canceled',
  ]),
  'signalwire-compat': new Set([
    'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'receiving', 'received',
  ]),
  'signalwire-rest': new Set(['queued', 'initiated', 'sent', 'delivered', 'undelivered', 'failed', 'read']),
  carrierx: new Set(['queued', 'sent', 'delivered', 'received', 'failed', 'undelivered']),
  // SMS API delivery receipts; the Reports API adds `submitted` and `deleted`.
  'vonage-sms': new Set(['delivered', 'expired', 'failed', 'rejected', 'accepted', 'buffered', 'unknown', 'submitted', 'deleted']),
  'vonage-messages': new Set(['submitted', 'delivered', 'rejected', 'undeliverable', 'read']),
};

/**
 * Statuses after which the provider will not change the message again, so its body can be redacted.
 * Twilio: a message is final once delivered/undelivered/failed/read/canceled, and inbound ones once
 * received. SignalWire refuses redaction while `queued`/`initiated`.
 */
export const DEFAULT_TERMINAL_STATUSES: Readonly<Record<ProviderName, ReadonlySet<string>>> = {
  twilio: new Set(['delivered', 'undelivered', 'failed', 'read', 'canceled', 'received']),
  'signalwire-compat': new Set(['delivered', 'undelivered', 'failed', 'received']),
  'signalwire-rest': new Set(['delivered', 'undelivered', 'failed', 'read']),
  // Inbound CarrierX traffic reaches the same partner-level callback: opt in with `received`.
  carrierx: new Set(['delivered', 'undelivered', 'failed']),
  // Vonage SMS API: `accepted` and `buffered` are on their way and `unknown` may still turn into a
  // receipt. Messages API: `submitted` is only handed to the carrier.
  'vonage-sms': new Set(['delivered', 'expired', 'failed', 'rejected']),
  'vonage-messages': new Set(['delivered', 'rejected', 'undeliverable', 'read']),
};

/** The terminal set for one account: its own override when it has one, else the provider default. */
export function terminalStatusesFor(
  provider: ProviderName,
  override: readonly string[] | undefined,
): ReadonlySet<string> {
  return override === undefined ? DEFAULT_TERMINAL_STATUSES[provider] : new Set(override);
}

/**
 * Statuses that are final only for messages with media. SignalWire never gets a delivery receipt for
 * MMS, so an MMS stays at `sent` for good.
 */
export const MMS_TERMINAL_STATUSES: Readonly<Partial<Record<ProviderName, ReadonlySet<string>>>> = {
  'signalwire-compat': new Set(['sent']),
  'signalwire-rest': new Set(['sent']),
};

/** Whether a status is final and redactable for this account. */
export function isTerminalStatus(status: string, terminal: ReadonlySet<string>): boolean {
  return terminal.has(status);
}

/** Whether this event ends the message's life at the provider, so its body can be redacted. */
export function isTerminalEvent(
  event: Pick<StatusEvent, 'provider' | 'status' | 'hasMedia' | 'inbound'>,
  terminal: ReadonlySet<string>,
): boolean {
  // CarrierX's partner-level callback also reports inbound traffic: those messages are redacted only
  // where the account opts in by counting `received` as terminal.
  if (event.inbound === true && event.provider === 'carrierx' && !terminal.has('received')) return false;
  if (isTerminalStatus(event.status, terminal)) return true;
  return event.hasMedia === true && (MMS_TERMINAL_STATUSES[event.provider]?.has(event.status) ?? false);
}
