import * as z from 'zod/mini';
import { jsonCallbackBody } from '../core/callbacks/callback-request';
import { safeEqualSecret } from '../core/callbacks/constant-time';
import { matchingKeyGeneration } from '../core/callbacks/key-generation';
import { AuthenticationError, MalformedCallbackError, SecretShapeError } from '../core/runtime/errors';
import type { HttpResponse } from '../core/runtime/http-client';
import type { Outcome } from '../core/redaction/outcome';
import { parseSecret } from '../core/secrets/parse-secret';
import type { RedactionJob } from '../core/redaction/redaction-job';
import type { StatusEvent } from '../core/callbacks/status-event';
import { verifiedCallback } from '../core/callbacks/verified-callback';
import { describeIssues } from '../core/config/zod-issues';
import { basicAuth, classifyByStatus, isSuccessStatus, parseJsonObject, sendOrClassify, type ProviderErrors } from './http-helpers';
import type { ListedMessage } from '../core/reconciliation/listed-message';
import type { CallbackProvider, FetchMessageResult, ListContext, ListPageQuery, ListPageResult, ListingProvider, MessageLister, ProviderClient, RedactionContext, RedactionProvider } from './provider';
import { UNREADABLE_PAGE, holdsBody, inWindow, listFailure, parseProviderDate, serverTimeOf } from './list-helpers';

/** CarrierX Core API v2 origin. */
export const CARRIERX_API_BASE_URL = 'https://api.carrierx.com/core/v2';

/** Query parameter of the callback URL that carries the account's callback token. */
export const CARRIERX_TOKEN_PARAM = 'token';

const MESSAGE_SID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const callbackToken = () => z.string().check(z.minLength(32, 'must be at least 32 random characters'));

/** The fields that authenticate callbacks: all a signing secret (the account's `signingSecretId`) holds. */
const CarrierXCallbackAuthSchema = z.object({
  callbackToken: callbackToken(),
  previousCallbackToken: z.optional(callbackToken()),
  callbackBasicAuth: z.optional(
    z.object({
      username: z.string().check(z.minLength(1, 'must not be empty')),
      password: z.string().check(z.minLength(16, 'must be at least 16 characters')),
    }),
  ),
});

/**
 * Secrets Manager JSON for a CarrierX partner. `token` is the API bearer token. CarrierX documents no
 * callback signature, so callbacks are authenticated by `callbackToken`, an unguessable value (≥ 32
 * characters) placed in the callback URL as `?token=…`; optionally also by Basic credentials.
 */
export const CarrierXSecretSchema = z.object({
  ...CarrierXCallbackAuthSchema.shape,
  token: z.string().check(z.minLength(16, 'must be the CarrierX API bearer token')),
});

export type CarrierXSecret = z.infer<typeof CarrierXSecretSchema>;

function parseCarrierXSecret(secret: unknown, secretId: string): CarrierXSecret {
  return withDistinctTokens(parseSecret(CarrierXSecretSchema, secret, secretId), secretId);
}

function withDistinctTokens<T extends { callbackToken: string; previousCallbackToken?: string | undefined }>(parsed: T, secretId: string): T {
  if (parsed.previousCallbackToken === parsed.callbackToken) {
    throw new SecretShapeError(secretId, 'previousCallbackToken must differ from callbackToken');
  }
  return parsed;
}

/** The SMS object CarrierX posts. It includes `message` (the body) and `media_urls`: never read. */
const CarrierXCallbackSchema = z.looseObject({
  message_sid: z.string().check(z.regex(MESSAGE_SID, 'must be a UUID')),
  status: z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word')),
  direction: z.optional(z.string().check(z.regex(/^[a-z]{1,20}$/, 'must be a lower-case word'))),
  type: z.optional(z.string()),
  partner_sid: z.optional(z.string().check(z.maxLength(64))),
  media_urls: z.optional(z.array(z.unknown())),
});

export const carrierXCallbacks: CallbackProvider = {
  provider: 'carrierx',

  bindVerifier(secret, secretId) {
    const auth = withDistinctTokens(parseSecret(CarrierXCallbackAuthSchema, secret, secretId), secretId);
    const { callbackToken, previousCallbackToken, callbackBasicAuth } = auth;
    const tokens = previousCallbackToken === undefined ? [callbackToken] : [callbackToken, previousCallbackToken];
    const expectedAuthorization = callbackBasicAuth === undefined ? undefined : basicAuth(callbackBasicAuth.username, callbackBasicAuth.password);
    return {
      authenticate(request) {
        const query = request.url.indexOf('?');
        const token = query === -1 ? null : new URLSearchParams(request.url.slice(query + 1)).get(CARRIERX_TOKEN_PARAM);
        if (token === null || token === '') throw new AuthenticationError(`missing ${CARRIERX_TOKEN_PARAM} query parameter`, 401);
        const keyGeneration = matchingKeyGeneration(tokens, (expected) => safeEqualSecret(token, expected));
        if (keyGeneration === undefined) throw new AuthenticationError('callback token does not match');
        if (expectedAuthorization !== undefined) {
          const authorization = request.headers.authorization;
          if (authorization === undefined) throw new AuthenticationError('missing Authorization header', 401);
          if (!safeEqualSecret(authorization, expectedAuthorization)) throw new AuthenticationError('Authorization does not match');
        }
        // CarrierX callbacks name the partner, but no secret field does: nothing to compare.
        return verifiedCallback({ fields: jsonCallbackBody(request), keyGeneration });
      },
    };
  },

  parseCallback(callback, route): StatusEvent {
    const parsed = CarrierXCallbackSchema.safeParse(callback.fields);
    if (!parsed.success) throw new MalformedCallbackError(`invalid CarrierX callback: ${describeIssues(parsed.error.issues)}`);
    const sms = parsed.data;
    return {
      provider: 'carrierx',
      route,
      messageId: sms.message_sid,
      status: sms.status,
      ...(sms.direction === 'inbound' ? { inbound: true } : {}),
      ...(sms.type === 'mms' || (sms.media_urls?.length ?? 0) > 0 ? { hasMedia: true } : {}),
    };
  },
};

/** CarrierX error bodies (`{ message, errors: [{ field, message, reference_sid }] }`) carry no stable code. */
/**
 * CarrierX documents no error body for an unknown SID; its answers carry a `message` (and `errors`)
 * naming what is wrong. Only a JSON answer that says "not found" counts; anything else at 404 is a
 * wrong base URL.
 */
const CARRIERX_ERRORS: ProviderErrors = {
  name: 'CarrierX',
  isNotFound: (response) => {
    const body = parseJsonObject(response.body);
    if (body === undefined) return false;
    const texts = [body.message, ...(Array.isArray(body.errors) ? body.errors.map((e: unknown) => (e as { message?: unknown })?.message) : [])];
    return texts.some((text) => typeof text === 'string' && /not found|cannot find/i.test(text));
  },
};

function carrierXErrorCode(response: HttpResponse): string {
  return `http-${response.status}`;
}

export function classifyCarrierXError(response: HttpResponse, now: Date): Outcome {
  return classifyByStatus(response, carrierXErrorCode(response), now, CARRIERX_ERRORS);
}

export const carrierXRedaction: RedactionProvider = {
  provider: 'carrierx',
  bindClient(secret, secretId): ProviderClient {
    const { token } = parseCarrierXSecret(secret, secretId);
    return { redact: (job, context) => redactCarrierXMessage(job, context, `Bearer ${token}`) };
  },
};

type Sms = { message?: unknown; status?: unknown; user_data?: unknown };

/**
 * CarrierX documents only `user_data` as updatable and no delete endpoint (CarrierX Core API reference, "Update SMS"; docs/providers.md).
 * So: confirm the status (the callback is not signed), clear `user_data`, try blanking the body only
 * where the account enables it, and read the message back. `redacted` only when the body is
 * verifiably empty; otherwise `cannot-redact`, which is dead-lettered and alarmed, never hidden.
 */
async function redactCarrierXMessage(job: RedactionJob, context: RedactionContext, authorization: string): Promise<Outcome> {
  if (!MESSAGE_SID.test(job.messageId)) {
    return { kind: 'rejected', code: 'invalid-message-id', reason: 'message id is not a CarrierX message_sid' };
  }
  const url = `${context.apiBaseUrl ?? CARRIERX_API_BASE_URL}/sms/messages/${job.messageId}`;
  const headers = { authorization, accept: 'application/json' };
  const now = context.now();

  const read = async (): Promise<Sms | Outcome> => {
    const answer = await sendOrClassify(context.http, { method: 'GET', url, headers });
    if ('kind' in answer) return answer;
    if (!isSuccessStatus(answer.status)) return classifyCarrierXError(answer, now);
    const sms = parseJsonObject(answer.body) as Sms | undefined;
    return sms === undefined || typeof sms !== 'object' || sms === null ? { kind: 'transient', code: 'unparseable-response' } : sms;
  };

  const before = await read();
  if ('kind' in before) return before;
  if (before.message === '' && (before.user_data === '' || before.user_data === null || before.user_data === undefined)) {
    return { kind: 'already-redacted' };
  }
  if (typeof before.status !== 'string' || !context.terminalStatuses.has(before.status)) {
    // The callback said terminal but CarrierX does not (yet): the unsigned callback is not trusted alone.
    return { kind: 'not-final', code: typeof before.status === 'string' ? `status-${before.status}` : 'status-unknown' };
  }

  const patch = (fields: Record<string, string>) =>
    sendOrClassify(context.http, {
      method: 'PATCH',
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });
  // `user_data` is the one documented updatable field: clear it on its own, so a refusal of the body
  // attempt below cannot keep it from being cleared.
  const cleared = await patch({ user_data: '' });
  if ('kind' in cleared) return cleared;
  if (!isSuccessStatus(cleared.status)) return classifyCarrierXError(cleared, now);
  if (context.attemptBodyUpdate) {
    const blanked = await patch({ message: '' });
    if ('kind' in blanked) return blanked;
    // 400/422 is the expected refusal of an undocumented field; the read-back decides either way.
    if (!isSuccessStatus(blanked.status) && blanked.status !== 400 && blanked.status !== 422) {
      return classifyCarrierXError(blanked, now);
    }
  }

  const after = await read();
  if ('kind' in after) return after;
  if (after.message === '') return { kind: 'redacted' };
  return {
    kind: 'cannot-redact',
    code: context.attemptBodyUpdate ? 'body-update-ignored' : 'body-not-updatable',
    reason: 'CarrierX still returns the message body after the update; its API offers no way to remove it',
  };
}

/**
 * The listing side: `GET /sms/messages`, newest first (`order=date_created desc`), paged by `limit`
 * (up to 1000) and `offset`, ending where `has_more` is false or the page reaches past the window's
 * start. CarrierX documents no date filter for this list, so the window is applied here.
 */
export const carrierXListing: ListingProvider = {
  provider: 'carrierx',
  bindLister(secret, secretId): MessageLister {
    const { token } = parseCarrierXSecret(secret, secretId);
    return {
      listPage: (query, context) => listCarrierXPage(query, context, `Bearer ${token}`),
      fetchMessage: (id, context) => fetchCarrierXMessage(id, context, `Bearer ${token}`),
    };
  },
};

async function listCarrierXPage(query: ListPageQuery, context: ListContext, authorization: string): Promise<ListPageResult> {
  const offset = query.cursor === undefined ? 0 : Number(query.cursor);
  if (!Number.isSafeInteger(offset) || offset < 0) return { ok: false, outcome: { kind: 'rejected', code: 'bad-cursor', reason: 'CarrierX page offset is not a whole number' } };
  const limit = Math.min(Math.max(query.pageSize, 1), 1000);
  const params = new URLSearchParams({ limit: String(limit), offset: String(offset), order: 'date_created desc' });
  const answer = await sendOrClassify(context.http, {
    method: 'GET',
    url: `${context.apiBaseUrl ?? CARRIERX_API_BASE_URL}/sms/messages?${params.toString()}`,
    headers: { authorization, accept: 'application/json' },
  });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) return listFailure(classifyCarrierXError(answer, context.now()));
  const page = parseJsonObject(answer.body);
  if (page === undefined || !Array.isArray(page.items)) return UNREADABLE_PAGE;
  const messages: ListedMessage[] = [];
  let pastWindowStart = false;
  for (const raw of page.items as unknown[]) {
    const item = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
    const createdAt = parseProviderDate(item?.date_created);
    if (item === undefined || typeof item.message_sid !== 'string' || !MESSAGE_SID.test(item.message_sid) || typeof item.status !== 'string' || createdAt === undefined) {
      return UNREADABLE_PAGE;
    }
    if (createdAt.getTime() < query.from.getTime()) pastWindowStart = true;
    if (!inWindow(createdAt, query.from, query.to)) continue;
    messages.push(carrierXListed(item, item.message_sid, createdAt));
  }
  const more = page.has_more === true && !pastWindowStart && page.items.length > 0;
  return { ok: true, messages, scanned: page.items.length, ...serverTimeOf(answer.headers), ...(more ? { nextCursor: String(offset + page.items.length) } : {}) };
}

/** A CarrierX SMS object as a listed message (its status change time is the retention's start). */
function carrierXListed(item: Record<string, unknown>, id: string, createdAt: Date): ListedMessage {
  const updatedAt = parseProviderDate(item.date_status_changed);
  return {
    id,
    status: String(item.status),
    createdAt,
    ...(updatedAt === undefined ? {} : { updatedAt }),
    hasBody: holdsBody(item.message),
    mediaCount: Array.isArray(item.media_urls) ? item.media_urls.length : 0,
    inbound: item.direction === 'inbound',
  };
}

/** `GET /sms/messages/{message_sid}`: one message, in the list's shape. */
async function fetchCarrierXMessage(id: string, context: ListContext, authorization: string): Promise<FetchMessageResult> {
  if (!MESSAGE_SID.test(id)) return { ok: false, outcome: { kind: 'rejected', code: 'invalid-message-id', reason: 'message id is not a CarrierX message_sid' } };
  const answer = await sendOrClassify(context.http, {
    method: 'GET',
    url: `${context.apiBaseUrl ?? CARRIERX_API_BASE_URL}/sms/messages/${id}`,
    headers: { authorization, accept: 'application/json' },
  });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) {
    const outcome = classifyCarrierXError(answer, context.now());
    return outcome.kind === 'not-found' ? { ok: true } : listFailure(outcome);
  }
  const item = parseJsonObject(answer.body);
  const createdAt = parseProviderDate(item?.date_created);
  if (item === undefined || item.message_sid !== id || typeof item.status !== 'string' || createdAt === undefined) return UNREADABLE_PAGE;
  return { ok: true, message: carrierXListed(item, id, createdAt) };
}
