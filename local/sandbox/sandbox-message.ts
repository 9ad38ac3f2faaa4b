import { randomBytes, randomUUID } from 'node:crypto';
import type { ProviderName } from '../../functions/core/provider-name';

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

/** A new provider-shaped message id: Twilio SM/MM + 32 hex, SignalWire and CarrierX UUIDs. */
export function newMessageId(provider: ProviderName, mms: boolean): string {
  if (provider === 'twilio') return (mms ? 'MM' : 'SM') + randomBytes(16).toString('hex');
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
};

/** The in-progress status a message shows while an injected "not final yet" fault lasts. */
export function inProgressStatus(provider: ProviderName): string {
  return { twilio: 'sending', 'signalwire-compat': 'sending', 'signalwire-rest': 'initiated', carrierx: 'queued' }[provider];
}

/** Providers that share one account and one message log: both SignalWire APIs use the same project. */
export type ProviderFamily = 'twilio' | 'signalwire' | 'carrierx';

export function providerFamily(provider: ProviderName): ProviderFamily {
  return provider.startsWith('signalwire') ? 'signalwire' : (provider as 'twilio' | 'carrierx');
}

/** GSM-7 single-segment length; longer bodies go out as 153-character parts. */
export function segmentCount(body: string): number {
  return body.length <= 160 ? 1 : Math.ceil(body.length / 153);
}
