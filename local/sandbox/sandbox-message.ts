import { randomBytes, randomUUID } from 'node:crypto';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';

/** One message held by the sandbox, as the provider would store it. */
export interface SandboxMessage {
  readonly provider: ProviderName;
  readonly id: string;
  /** The Twilio subaccount that holds it (its SID); absent: the provider's main account. */
  readonly account?: string;
  body: string;
  status: string;
  readonly direction: 'outbound' | 'inbound';
  media: string[];
  /**
   * Media items it was sent with, kept when the media is deleted: what makes it an MMS, which decides
   * its final statuses (SignalWire MMS end at `sent`). The store always sets it.
   */
  readonly mediaSent?: number;
  /** CarrierX `user_data`. */
  userData: string;
  /** How many redact/update calls reached this message. */
  redactAttempts: number;
  /** When the body was emptied (ms since epoch), if it was. */
  redactedAt?: number;
  /** When the provider created the message (ms since epoch). The sandbox's store always sets it. */
  dateCreated?: number;
  /** When the provider sent (or received) it (ms since epoch); the list filters and orders on it. */
  dateSent?: number;
  /** Last change through the API (ms since epoch). */
  dateUpdated?: number;
  /** Last status change (ms since epoch), where a run sets one; CarrierX shows it as `date_status_changed`. */
  dateStatusChanged?: number;
  readonly from?: string;
  readonly to?: string;
  /** Segments the original body was split into (kept after a redaction, as the providers do). */
  readonly segments?: number;
  /** The provider's delivery error code on failed/undelivered messages. */
  errorCode?: number;
  /** Seeded as history from before deployment: no status callback ever announced it. */
  readonly seeded?: boolean;
  /** The StatusCallback given at creation through the API, if any (the sandbox never calls it itself). */
  readonly statusCallback?: string;
}

/**
 * A new provider-shaped message id: Twilio SM/MM + 32 hex; Vonage SMS API 16 upper-case hex digits
 * (`0C0000002EEBDA56`, as in its delivery receipts); SignalWire, CarrierX and the Vonage Messages API UUIDs.
 */
export function newMessageId(provider: ProviderName, mms: boolean): string {
  if (provider === 'twilio') return (mms ? 'MM' : 'SM') + randomBytes(16).toString('hex');
  if (provider === 'vonage-sms') return randomBytes(8).toString('hex').toUpperCase();
  return randomUUID();
}

/** A new media id in the provider's format. */
export function newMediaId(provider: ProviderName): string {
  return provider === 'twilio' ? 'ME' + randomBytes(16).toString('hex') : randomUUID();
}

/** Statuses during which each provider refuses to redact. */
export const IN_PROGRESS: Readonly<Record<ProviderName, ReadonlySet<string>>> = {
  twilio: new Set(['queued', 'sending', 'accepted', 'scheduled', 'receiving']),
  'signalwire-compat': new Set(['queued', 'initiated', 'sending', 'receiving']),
  'signalwire-rest': new Set(['queued', 'initiated']),
  carrierx: new Set(['queued']),
  // Vonage's Redact API refuses by age (premature-redaction, the first hour), never by status: these
  // are only the statuses a message shows on its way.
  'vonage-sms': new Set(['submitted', 'accepted', 'buffered']),
  'vonage-messages': new Set(['submitted']),
};

/** The in-progress status a message shows while an injected "not final yet" fault lasts. */
export function inProgressStatus(provider: ProviderName): string {
  return {
    twilio: 'sending',
    'signalwire-compat': 'sending',
    'signalwire-rest': 'initiated',
    carrierx: 'queued',
    'vonage-sms': 'accepted',
    'vonage-messages': 'submitted',
  }[provider];
}

/**
 * A message's life as the sandbox plays it, in words every provider shares: waiting, handed on with
 * no final receipt yet, and the three ends. `providerStatus` says each in the provider's own words.
 */
export type LifeStage = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

const VONAGE_STATUSES: Readonly<Record<'vonage-sms' | 'vonage-messages', Readonly<Record<LifeStage, string>>>> = {
  // SMS API: submitted (Reports API), accepted by the network, then a delivery receipt's final word.
  'vonage-sms': { queued: 'submitted', sent: 'accepted', delivered: 'delivered', undelivered: 'expired', failed: 'failed' },
  // Messages API: a `submitted` callback, then delivered, undeliverable or rejected.
  'vonage-messages': { queued: 'submitted', sent: 'submitted', delivered: 'delivered', undelivered: 'undeliverable', failed: 'rejected' },
};

/** The status `provider` shows at this stage of a message's life (Twilio, SignalWire and CarrierX use these words). */
export function providerStatus(provider: ProviderName, stage: LifeStage): string {
  return provider === 'vonage-sms' || provider === 'vonage-messages' ? VONAGE_STATUSES[provider][stage] : stage;
}

/**
 * Providers that share one account and one message log: both SignalWire APIs use the same project,
 * both Vonage APIs the same API key.
 */
export type ProviderFamily = 'twilio' | 'signalwire' | 'carrierx' | 'vonage';

export function providerFamily(provider: ProviderName): ProviderFamily {
  if (provider.startsWith('signalwire')) return 'signalwire';
  if (provider.startsWith('vonage')) return 'vonage';
  return provider as 'twilio' | 'carrierx';
}

/** GSM-7 single-segment length; longer bodies go out as 153-character parts. */
export function segmentCount(body: string): number {
  return body.length <= 160 ? 1 : Math.ceil(body.length / 153);
}
