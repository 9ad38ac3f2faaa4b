import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { newMediaId, newMessageId, providerFamily, providerStatus, segmentCount, type ProviderFamily, type SandboxMessage } from './sandbox-message';

/** What a new message needs; everything else gets the provider's defaults. */
export interface NewMessage {
  readonly body: string;
  /** The Twilio subaccount that holds it. @default the main account */
  readonly account?: string;
  /** @default the provider's first status (`queued`; Vonage `submitted`) */
  readonly status?: string;
  /** Number of media attachments. @default 0 */
  readonly media?: number;
  /** @default 'outbound' */
  readonly direction?: 'outbound' | 'inbound';
  readonly from?: string;
  readonly to?: string;
  /** When it was sent (ms since epoch). @default now */
  readonly sentAt?: number;
  readonly errorCode?: number;
  readonly seeded?: boolean;
  readonly statusCallback?: string;
}

/**
 * History "sent before deployment": `count` messages at given past times with given final statuses.
 * The sandbox stores them and nothing else: no status callback ever announces them.
 */
export interface HistorySpec {
  readonly count: number;
  /** When message `index` was sent (ms since epoch or a Date); must not be in the future. */
  readonly sentAt: (index: number) => number | Date;
  /** Its status now (usually a final one). */
  readonly status: string | ((index: number) => string);
  /** @default a fixed sample body */
  readonly body?: string | ((index: number) => string);
  /** Media attachments per message. @default 0 */
  readonly media?: number | ((index: number) => number);
  /** @default 'outbound' */
  readonly direction?: 'outbound' | 'inbound';
  /** The Twilio subaccount that holds them. @default the main account */
  readonly account?: string;
}

const DEFAULT_NUMBERS: Record<ProviderFamily, { from: string; to: string }> = {
  twilio: { from: '+15005550006', to: '+14155552671' },
  signalwire: { from: '+15005550006', to: '+14155552671' },
  // CarrierX writes numbers without the plus (as in CarrierX's Core API samples).
  carrierx: { from: '15162065575', to: '15162065574' },
  // Vonage writes numbers without the plus too (`msisdn`, `to` in its webhooks and records).
  vonage: { from: '447700900001', to: '447700900000' },
};

/**
 * The sandbox's messages, shared by every provider API. Lists read them newest first (by the
 * date sent, then id), which is how Twilio and SignalWire order their message lists; the order is
 * cached and rebuilt only after a message is added or removed.
 */
export class MessageStore {
  readonly messages = new Map<string, SandboxMessage>();
  readonly #now: () => number;
  readonly #sorted = new Map<string, { size: number; version: number; list: SandboxMessage[] }>();
  #version = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  add(provider: ProviderName, spec: NewMessage): SandboxMessage {
    const mediaCount = spec.media ?? 0;
    const sentAt = spec.sentAt ?? this.#now();
    const numbers = DEFAULT_NUMBERS[providerFamily(provider)];
    const message: SandboxMessage = {
      provider,
      id: newMessageId(provider, mediaCount > 0),
      ...(spec.account === undefined ? {} : { account: spec.account }),
      body: spec.body,
      status: spec.status ?? providerStatus(provider, 'queued'),
      direction: spec.direction ?? 'outbound',
      media: Array.from({ length: mediaCount }, () => newMediaId(provider)),
      mediaSent: mediaCount,
      userData: 'sandbox-user-data',
      redactAttempts: 0,
      dateCreated: sentAt,
      dateSent: sentAt,
      dateUpdated: sentAt,
      from: spec.from ?? numbers.from,
      to: spec.to ?? numbers.to,
      segments: segmentCount(spec.body),
      ...(spec.errorCode === undefined ? {} : { errorCode: spec.errorCode }),
      ...(spec.seeded ? { seeded: true } : {}),
      ...(spec.statusCallback === undefined ? {} : { statusCallback: spec.statusCallback }),
    };
    this.messages.set(message.id, message);
    this.#version++;
    return message;
  }

  /** Stores `spec.count` messages of history; throws a RangeError naming the first bad entry. */
  seedHistory(provider: ProviderName, spec: HistorySpec): SandboxMessage[] {
    if (!Number.isInteger(spec.count) || spec.count < 0) throw new RangeError(`seedHistory: count must be a whole number >= 0, got ${spec.count}`);
    const now = this.#now();
    const pick = <T>(value: T | ((index: number) => T), index: number): T =>
      typeof value === 'function' ? (value as (index: number) => T)(index) : value;
    const seeded: SandboxMessage[] = [];
    for (let index = 0; index < spec.count; index++) {
      const at = spec.sentAt(index);
      const sentAt = at instanceof Date ? at.getTime() : at;
      if (!Number.isFinite(sentAt) || sentAt > now) throw new RangeError(`seedHistory: sentAt(${index}) must be a time in the past`);
      const status = pick(spec.status, index);
      seeded.push(
        this.add(provider, {
          body: pick(spec.body ?? 'Seeded history: your code is 123456', index),
          status,
          media: pick(spec.media ?? 0, index),
          direction: spec.direction ?? 'outbound',
          sentAt,
          seeded: true,
          ...(spec.account === undefined ? {} : { account: spec.account }),
          ...(status === 'failed' || status === 'undelivered' ? { errorCode: 30003 } : {}),
        }),
      );
    }
    return seeded;
  }

  /** The message `id` if it belongs to `provider`'s account (both SignalWire APIs share one project). */
  get(provider: ProviderName, id: string): SandboxMessage | undefined {
    const message = this.messages.get(id);
    return message !== undefined && providerFamily(message.provider) === providerFamily(provider) ? message : undefined;
  }

  remove(id: string): boolean {
    const removed = this.messages.delete(id);
    if (removed) this.#version++;
    return removed;
  }

  /**
   * Every message of the account, newest first (date sent descending, then id descending): the
   * provider's main account, or the Twilio subaccount `account`.
   */
  newestFirst(family: ProviderFamily, account?: string): readonly SandboxMessage[] {
    const key = account === undefined ? family : `${family}/${account}`;
    const cached = this.#sorted.get(key);
    // The size check also catches messages set on the public map directly.
    if (cached && cached.version === this.#version && cached.size === this.messages.size) return cached.list;
    const list = [...this.messages.values()].filter((m) => providerFamily(m.provider) === family && m.account === account);
    list.sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
    this.#sorted.set(key, { size: this.messages.size, version: this.#version, list });
    return list;
  }
}

/** The order of a list: later sends first; the id breaks ties so the order is total and stable. */
export function sortKey(message: SandboxMessage): string {
  return `${String(message.dateSent ?? message.dateCreated ?? 0).padStart(15, '0')}:${message.id}`;
}

/** One page of a newest-first list, cut at a cursor (the sort key of the item it continues from). */
export interface CursorPage {
  readonly items: SandboxMessage[];
  /** Index of the first item in the whole list. */
  readonly start: number;
  readonly hasNext: boolean;
  readonly hasPrevious: boolean;
}

/**
 * Cuts a page from a newest-first list. A cursor survives messages being added or removed between
 * pages (an index would skip or repeat them): `after` continues past an item, `before` goes back.
 */
export function cursorPage(
  sorted: readonly SandboxMessage[],
  size: number,
  at: { readonly after?: string; readonly before?: string; readonly offset?: number } = {},
): CursorPage {
  let start: number;
  if (at.after !== undefined) {
    start = firstIndexBelow(sorted, at.after);
  } else if (at.before !== undefined) {
    start = Math.max(0, firstIndexBelow(sorted, at.before, true) - size);
  } else {
    start = Math.min(sorted.length, Math.max(0, at.offset ?? 0));
  }
  const end = at.before !== undefined ? Math.min(firstIndexBelow(sorted, at.before, true), start + size) : start + size;
  return { items: sorted.slice(start, end), start, hasNext: end < sorted.length, hasPrevious: start > 0 };
}

/** First index whose key is below `key` (or equal, when `orEqual`); the list is sorted by key, descending. */
function firstIndexBelow(sorted: readonly SandboxMessage[], key: string, orEqual = false): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const k = sortKey(sorted[mid]!);
    if (k < key || (orEqual && k === key)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** A page token: `PA` (next) or `PB` (previous) plus the boundary item's sort key, as SignalWire requires. */
export function pageToken(direction: 'after' | 'before', message: SandboxMessage): string {
  return (direction === 'after' ? 'PA' : 'PB') + Buffer.from(sortKey(message), 'utf8').toString('base64url');
}

/** Reads a page token back; undefined when it is not one of ours. */
export function readPageToken(token: string): { after: string } | { before: string } | undefined {
  const key = Buffer.from(token.slice(2), 'base64url').toString('utf8');
  if (!/^\d{15}:[\w-]+$/.test(key)) return undefined;
  if (token.startsWith('PA')) return { after: key };
  if (token.startsWith('PB')) return { before: key };
  return undefined;
}
