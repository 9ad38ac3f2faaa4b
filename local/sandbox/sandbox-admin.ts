import { PROVIDER_NAMES, type ProviderName } from '../../functions/core/provider-rules/provider-name';
import type { AccountLimiter } from './account-limiter';
import type { MessageStore } from './message-store';
import type { Answer } from './sandbox-api';

/** Where the sandbox's own endpoints live (no provider has them; loopback only, no auth). */
export const SANDBOX_ADMIN_PREFIX = '/_sandbox';

/**
 * The body of `POST /_sandbox/history`: `count` messages sent between `oldest` and `newest` (ISO 8601,
 * spread evenly, both in the past), with `statuses` given in turn, never announced by a callback.
 */
export interface HistoryRequest {
  readonly provider: ProviderName;
  readonly count: number;
  readonly oldest: string;
  readonly newest: string;
  /** @default ['delivered'] */
  readonly statuses?: readonly string[];
  readonly body?: string;
  /** Media attachments per message. @default 0 */
  readonly media?: number;
}

/**
 * The body of `POST /_sandbox/messages`: one message of `provider`, sent now, already at `status`
 * (what `npm run trigger` creates before it sends the status callback for it).
 */
export interface MessageRequest {
  readonly provider: ProviderName;
  /** @default the provider's first status (`queued`; Vonage `submitted`) */
  readonly status?: string;
  /** @default a fixed sample body */
  readonly body?: string;
  /** Media attachments. @default 0 */
  readonly media?: number;
}

/** The body a created message holds when the request names none. */
export const SAMPLE_BODY = 'Sandbox message: appointment on Tuesday at 10:00';

/**
 * The sandbox's admin endpoints: `POST /_sandbox/messages` creates one message in any provider's
 * store (answers 201 with its id), `POST /_sandbox/messages/{id}` with `{"status": …}` moves a message
 * to a new status (what the provider does before it calls back), `POST /_sandbox/history` seeds history (answers 201 with the ids),
 * `GET /_sandbox/usage` answers the request and 429 counts per account.
 */
export function handleAdmin(method: string, path: string, body: string, store: MessageStore, limiter: AccountLimiter): Answer {
  if (path === `${SANDBOX_ADMIN_PREFIX}/usage` && method === 'GET') {
    return { status: 200, body: { cap: Number.isFinite(limiter.cap) ? limiter.cap : null, accounts: Object.fromEntries(limiter.all()) } };
  }
  if (path === `${SANDBOX_ADMIN_PREFIX}/messages` && method === 'POST') {
    const parsed = parseMessageRequest(body);
    if (typeof parsed === 'string') return { status: 400, body: { error: parsed } };
    const message = store.add(parsed.provider, { body: parsed.body ?? SAMPLE_BODY, ...(parsed.status === undefined ? {} : { status: parsed.status }), media: parsed.media ?? 0 });
    return { status: 201, body: { provider: message.provider, id: message.id, status: message.status, media: message.media.length } };
  }
  const statusChange = new RegExp(`^${SANDBOX_ADMIN_PREFIX}/messages/([A-Za-z0-9-]{1,64})$`).exec(path);
  if (statusChange && method === 'POST') {
    const message = store.messages.get(statusChange[1]!);
    if (message === undefined) return { status: 404, body: { error: `no message ${statusChange[1]} in the sandbox` } };
    const status = parseStatusChange(body);
    if (status === undefined) return { status: 400, body: { error: 'body must be {"status": "<lower-case status word>"}' } };
    message.status = status;
    return { status: 200, body: { provider: message.provider, id: message.id, status: message.status, media: message.media.length } };
  }
  if (path === `${SANDBOX_ADMIN_PREFIX}/history` && method === 'POST') {
    const parsed = parseHistoryRequest(body, store.now());
    if (typeof parsed === 'string') return { status: 400, body: { error: parsed } };
    const { provider, count, oldest, newest, statuses, text, media } = parsed;
    const step = count > 1 ? (newest - oldest) / (count - 1) : 0;
    const messages = store.seedHistory(provider, {
      count,
      sentAt: (i) => Math.round(oldest + i * step),
      status: (i) => statuses[i % statuses.length]!,
      ...(text === undefined ? {} : { body: text }),
      media,
    });
    return { status: 201, body: { provider, count: messages.length, ids: messages.map((m) => m.id) } };
  }
  return { status: 404, body: { error: `no sandbox endpoint ${method} ${path}` } };
}

/** A JSON object body naming a known provider; a string is the one-line reason it was refused. */
function requestWithProvider<T>(body: string): Partial<Record<keyof T, unknown>> | string {
  let input: Partial<Record<keyof T, unknown>> & { provider?: unknown };
  try {
    input = JSON.parse(body) as typeof input;
  } catch {
    return 'body must be JSON';
  }
  if (typeof input !== 'object' || input === null) return 'body must be a JSON object';
  if (!PROVIDER_NAMES.includes(input.provider as ProviderName)) return `provider must be one of ${PROVIDER_NAMES.join(', ')}`;
  return input;
}

/** Validates a message request; a string is the one-line reason it was refused. */
function parseMessageRequest(body: string): MessageRequest | string {
  const input = requestWithProvider<MessageRequest>(body);
  if (typeof input === 'string') return input;
  if (input.status !== undefined && (typeof input.status !== 'string' || !STATUS_WORD.test(input.status))) return 'status must be a lower-case status word';
  if (input.body !== undefined && typeof input.body !== 'string') return 'body must be a string';
  const media = input.media ?? 0;
  if (!Number.isInteger(media) || (media as number) < 0 || (media as number) > 10) return 'media must be a whole number from 0 to 10';
  return input as MessageRequest;
}

const STATUS_WORD = /^[a-z_]{1,40}$/;

function parseStatusChange(body: string): string | undefined {
  try {
    const status = (JSON.parse(body) as { status?: unknown } | null)?.status;
    return typeof status === 'string' && STATUS_WORD.test(status) ? status : undefined;
  } catch {
    return undefined;
  }
}

/** Validates a history request; a string is the one-line reason it was refused. */
function parseHistoryRequest(
  body: string,
  now: number,
): string | { provider: ProviderName; count: number; oldest: number; newest: number; statuses: readonly string[]; text?: string; media: number } {
  const input = requestWithProvider<HistoryRequest>(body);
  if (typeof input === 'string') return input;
  if (!Number.isInteger(input.count) || (input.count as number) < 1 || (input.count as number) > 1_000_000) return 'count must be a whole number from 1 to 1000000';
  const oldest = typeof input.oldest === 'string' ? Date.parse(input.oldest) : Number.NaN;
  const newest = typeof input.newest === 'string' ? Date.parse(input.newest) : Number.NaN;
  if (!Number.isFinite(oldest) || !Number.isFinite(newest)) return 'oldest and newest must be ISO 8601 times';
  if (oldest > newest) return 'oldest must not be after newest';
  if (newest > now) return 'newest must be in the past (history is sent before deployment)';
  const statuses = input.statuses ?? ['delivered'];
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => typeof s === 'string' && STATUS_WORD.test(s))) {
    return 'statuses must be a non-empty list of lower-case status words';
  }
  if (input.body !== undefined && typeof input.body !== 'string') return 'body must be a string';
  const media = input.media ?? 0;
  if (!Number.isInteger(media) || (media as number) < 0 || (media as number) > 10) return 'media must be a whole number from 0 to 10';
  return {
    provider: input.provider as ProviderName,
    count: input.count as number,
    oldest,
    newest,
    statuses: statuses as string[],
    ...(input.body === undefined ? {} : { text: input.body as string }),
    media: media as number,
  };
}
