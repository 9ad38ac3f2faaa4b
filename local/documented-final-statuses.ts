import type { ProviderName } from '../functions/core/provider-rules/provider-name';

/**
 * The oracle of the demo, chaos and reconcile runs: each provider's documented final statuses, written
 * out here on purpose instead of imported from the product's terminal rules, so that a wrong default
 * in the product shows up as a lost or a wrongly redacted message.
 *
 * Sources: Twilio "Message resource" status values; SignalWire compatibility and REST message status
 * docs (MMS never gets a delivery receipt, so it ends at `sent`); CarrierX SMS object statuses;
 * Vonage SMS API delivery receipt statuses ("delivered", "expired", "failed", "rejected" end a message;
 * "accepted" and "buffered" are on the way, "unknown" may still be followed by a receipt) and Messages
 * API status webhooks ("submitted" is only handed to the carrier; "read" follows "delivered").
 */
const FINAL: Readonly<Record<ProviderName, readonly string[]>> = {
  twilio: ['delivered', 'undelivered', 'failed', 'read', 'canceled', 'received'],
  'signalwire-compat': ['delivered', 'undelivered', 'failed', 'received'],
  'signalwire-rest': ['delivered', 'undelivered', 'failed', 'read'],
  carrierx: ['delivered', 'undelivered', 'failed'],
  'vonage-sms': ['delivered', 'expired', 'failed', 'rejected'],
  'vonage-messages': ['delivered', 'undeliverable', 'rejected', 'read'],
};

/** Whether the provider documents this status as final for an outbound message (MMS: `sent` at SignalWire). */
export function isDocumentedFinal(provider: ProviderName, status: string, mms: boolean): boolean {
  if (FINAL[provider].includes(status)) return true;
  return mms && status === 'sent' && provider.startsWith('signalwire');
}
