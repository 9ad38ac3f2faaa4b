import { randomBytes, randomUUID } from 'node:crypto';
import type { ProviderName } from '../../functions/core/provider-name';

/** One message held by the sandbox, as the provider would store it. */
export interface SandboxMessage {
  readonly provider: ProviderName;
  readonly id: string;
  body: string;
  status: string;
  readonly direction: 'outbound' | 'inbound';
  media: string[];
  /** CarrierX `user_data`. */
  userData: string;
  /** How many redact/update calls reached this message. */
  redactAttempts: number;
  /** When the body was emptied (ms since epoch), if it was. */
  redactedAt?: number;
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
