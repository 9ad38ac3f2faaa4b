import { createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { jsonCallbackBody } from '../core/callbacks/callback-request';
import { safeEqual } from '../core/callbacks/constant-time';
import { matchingKeyGeneration } from '../core/callbacks/key-generation';
import { AuthenticationError, MalformedCallbackError } from '../core/runtime/errors';
import type { HttpResponse } from '../core/runtime/http-client';
import type { Outcome } from '../core/redaction/outcome';
import type { RedactionJob } from '../core/redaction/redaction-job';
import { signalWireUrlVariants } from '../core/callbacks/signed-url-variants';
import type { StatusEvent } from '../core/callbacks/status-event';
import { verifiedCallback } from '../core/callbacks/verified-callback';
import { describeIssues } from '../core/config/zod-issues';
import { basicAuth, classifyByStatus, isSuccessStatus, parseJsonObject, sendOrClassify, type ProviderErrors } from './http-helpers';
import type { ListedMessage } from '../core/reconciliation/listed-message';
import type { CallbackProvider, FetchMessageResult, ListContext, ListPageQuery, ListPageResult, ListingProvider, MessageLister, RedactionContext, RedactionProvider } from './provider';
import { UNREADABLE_PAGE, holdsBody, inWindow, listFailure, nextPageUrl, parseProviderDate, serverTimeOf } from './list-helpers';
import {
  isSignalWireId,
  parseSignalWireSecret,
  parseSignalWireSigningKeys,
  signalWireIdSchema,
  type SignalWireCredentials, signalWireRedaction } from './signalwire-secret';

/**
 * SignalWire REST (Messaging API) signature: lower-case hex HMAC-SHA1 under the project signing key
 * over the URL followed by the raw body bytes exactly as received.
 */
export function signSignalWireRest(key: string, url: string, body: string | Buffer): string {
  return createHmac('sha1', key).update(url, 'utf8').update(body).digest('hex');
}

/** REST status callback (JSON). It carries `body`, `to` and `from`: only ids and status are read. */
const RestCallbackSchema = z.looseObject({
  id: signalWireIdSchema('id'),
  status: z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word')),
  project_id: z.optional(signalWireIdSchema('project_id')),
  error_code: z.optional(z.nullable(z.union([z.string().check(z.maxLength(40)), z.number()]))),
  kind: z.optional(z.string()),
  direction: z.optional(z.string()),
  media: z.optional(z.array(z.unknown())),
});

export const signalWireRestCallbacks: CallbackProvider = {
  provider: 'signalwire-rest',

  bindVerifier(secret, secretId) {
    const { projectId, signingKeys } = parseSignalWireSigningKeys(secret, secretId);
    return {
      authenticate(request) {
        const signature = request.headers['x-signalwire-signature'];
        if (signature === undefined || signature === '') throw new AuthenticationError('missing X-SignalWire-Signature header', 401);
        // The same URL forms as SignalWire's compatibility validator (host case, port added or removed).
        const urls = [...signalWireUrlVariants(request.url)];
        const keyGeneration = matchingKeyGeneration(signingKeys, (key) => {
          let valid = false;
          for (const url of urls) valid = safeEqual(signature.toLowerCase(), signSignalWireRest(key, url, request.body)) || valid;
          return valid;
        });
        if (keyGeneration === undefined) {
          throw new AuthenticationError("X-SignalWire-Signature does not match (check the account's publicUrl and signing key)");
        }
        return verifiedCallback({ fields: jsonCallbackBody(request), keyGeneration, providerAccount: projectId, accountField: { name: 'project_id', isWellFormed: isSignalWireId } });
      },
    };
  },

  parseCallback(callback, route): StatusEvent {
    const parsed = RestCallbackSchema.safeParse(callback.fields);
    if (!parsed.success) {
      throw new MalformedCallbackError(`invalid SignalWire callback: ${describeIssues(parsed.error.issues)}`);
    }
    const message = parsed.data;
    const errorCode = message.error_code === null || message.error_code === undefined ? undefined : String(message.error_code);
    return {
      provider: 'signalwire-rest',
      route,
      messageId: message.id,
      status: message.status,
      ...(errorCode !== undefined && /^[\w.-]+$/.test(errorCode) ? { errorCode } : {}),
      ...(message.direction === 'inbound' ? { inbound: true } : {}),
      ...(message.kind === 'mms' || (message.media?.length ?? 0) > 0 ? { hasMedia: true } : {}),
    };
  },
};

/** The first error's `code` from SignalWire's `{ errors: [{ type, code, message, attribute, url }] }`. */
function restErrorCode(response: HttpResponse): string {
  const body = parseJsonObject(response.body) as { errors?: Array<{ code?: unknown }> } | undefined;
  const code = body?.errors?.[0]?.code;
  return typeof code === 'string' && /^[\w.-]{1,60}$/.test(code) ? code : `http-${response.status}`;
}

/**
 * Classifies a REST API refusal. `body_must_be_empty` means our request was wrong: rejected, loudly.
 * A code that says the message is still in progress (the exact code is undocumented) → not-final.
 */
export function classifySignalWireRestError(response: HttpResponse, now: Date): Outcome {
  const code = restErrorCode(response);
  if (code === 'body_must_be_empty') {
    return { kind: 'rejected', code, reason: 'SignalWire says the redaction body was not empty: a bug in this adapter' };
  }
  if ((response.status === 400 || response.status === 422) && /queued|initiated|in_progress|not_final|pending/i.test(code)) {
    return { kind: 'not-final', code };
  }
  return classifyByStatus(response, code, now, REST_ERRORS);
}

/**
 * The REST API's documented 404 is `{ "error": "Not Found" }` (some answers use `{ errors: [{ code }] }`):
 * only those mean "no such message"; anything else at 404 is a wrong space or path.
 */
const REST_ERRORS: ProviderErrors = {
  name: 'SignalWire',
  isNotFound: (response) => {
    const body = parseJsonObject(response.body);
    if (typeof body?.error === 'string') return /^not found$/i.test(body.error);
    return Array.isArray(body?.errors) && body.errors.some((e: unknown) => /not_found/i.test(String((e as { code?: unknown })?.code)));
  },
};

// Pure: the receiver imports this file for its callback side, and the bundler may drop the redaction side.
export const signalWireRestRedaction: RedactionProvider = /* @__PURE__ */ signalWireRedaction('signalwire-rest', redactRestMessage);

async function redactRestMessage(job: RedactionJob, context: RedactionContext, credentials: SignalWireCredentials): Promise<Outcome> {
  // PATCH /api/messaging/messages/{id} with {"body":""} (SignalWire REST reference, "Redact message"; docs/providers.md).
  const answer = await sendOrClassify(context.http, {
    method: 'PATCH',
    url: `${context.apiBaseUrl ?? credentials.spaceOrigin}/api/messaging/messages/${job.messageId}`,
    headers: {
      authorization: basicAuth(credentials.projectId, credentials.apiToken),
      accept: 'application/json',
      'content-type': 'application/json',
    },
    body: '{"body":""}',
  });
  if ('kind' in answer) return answer;
  if (!isSuccessStatus(answer.status)) return classifySignalWireRestError(answer, context.now());
  const message = parseJsonObject(answer.body) as { body?: unknown } | undefined;
  if (message === undefined) return { kind: 'transient', code: 'unparseable-response' };
  return message.body === ''
    ? { kind: 'redacted' }
    : { kind: 'rejected', code: 'body-not-empty', reason: 'SignalWire answered 2xx but the body is not empty' };
}

/** The listing side: `GET /api/messaging/logs` (created_after / created_before, page_size up to 1000, `links.next`). */
export const signalWireRestListing: ListingProvider = {
  provider: 'signalwire-rest',
  bindLister(secret, secretId): MessageLister {
    const credentials = parseSignalWireSecret(secret, secretId);
    return {
      listPage: (query, context) => listRestLogsPage(query, context, credentials),
      fetchMessage: (id, context) => fetchRestMessage(id, context, credentials),
    };
  },
};

const LOGS_PATH = '/api/messaging/logs';

/**
 * Log entries per page: each entry the sweep would act on costs one more GET to test its body, so a
 * page stays small enough for its reads to finish well inside one sweep invocation.
 */
const REST_PAGE_SIZE = 100;

/** Body reads of one page in flight at once (GETs are "effectively unlimited" at SignalWire). */
const BODY_READS_IN_FLIGHT = 8;

/**
 * One page of the messaging logs. Log entries carry no body; an entry's `url` (present for messages
 * sent through the compatibility API) reads the message with its body, so only those can be checked,
 * and only for entries the sweep would act on. Relay messages have no readable body: `unknown`.
 */
async function listRestLogsPage(query: ListPageQuery, context: ListContext, credentials: SignalWireCredentials): Promise<ListPageResult> {
  const base = context.apiBaseUrl ?? credentials.spaceOrigin;
  const headers = { authorization: basicAuth(credentials.projectId, credentials.apiToken), accept: 'application/json' };
  const url = query.cursor === undefined
    ? `${base}${LOGS_PATH}?${new URLSearchParams({ created_after: query.from.toISOString(), created_before: query.to.toISOString(), page_size: String(Math.min(Math.max(query.pageSize, 1), REST_PAGE_SIZE)) }).toString()}`
    : nextPageUrl(base, query.cursor, LOGS_PATH);
  if (url === undefined) return { ok: false, outcome: { kind: 'rejected', code: 'foreign-cursor', reason: 'next page reference leaves the messaging logs' } };
  const answer = await sendOrClassify(context.http, { method: 'GET', url, headers });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) return listFailure(classifySignalWireRestError(answer, context.now()));
  const page = parseJsonObject(answer.body);
  if (page === undefined || !Array.isArray(page.data)) return UNREADABLE_PAGE;
  const entries: Array<{ listed: Omit<ListedMessage, 'hasBody'>; url?: string }> = [];
  for (const raw of page.data as unknown[]) {
    const logged = loggedMessage(raw);
    if (logged === undefined) return UNREADABLE_PAGE;
    const { listed, url } = logged;
    if (!inWindow(listed.createdAt, query.from, query.to)) continue;
    const wanted = query.needsBodyCheck?.(listed) ?? true;
    entries.push({ listed, ...(wanted && url !== undefined ? { url } : {}) });
  }
  const bodies: Array<boolean | 'unknown' | Extract<ListPageResult, { ok: false }>> = new Array(entries.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(BODY_READS_IN_FLIGHT, entries.length) }, async () => {
    while (next < entries.length) {
      const index = next++;
      const url = entries[index]!.url;
      bodies[index] = url === undefined ? 'unknown' : await readBody(url, base, headers, context);
    }
  }));
  const messages: ListedMessage[] = [];
  for (const [index, { listed }] of entries.entries()) {
    const hasBody = bodies[index]!;
    if (typeof hasBody === 'object') return hasBody;
    messages.push({ ...listed, hasBody });
  }
  const links = page.links as { next?: unknown } | undefined;
  const nextCursor = typeof links?.next === 'string' && links.next !== '' ? links.next : undefined;
  return { ok: true, messages, scanned: page.data.length, ...serverTimeOf(answer.headers), ...(nextCursor === undefined ? {} : { nextCursor }) };
}

/** A log entry's ids, status and dates, and the url its body can be read at; undefined when unreadable. */
function loggedMessage(raw: unknown): { listed: Omit<ListedMessage, 'hasBody'>; url?: string } | undefined {
  const entry = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
  const createdAt = parseProviderDate(entry?.created_at);
  if (entry === undefined || typeof entry.id !== 'string' || !isSignalWireId(entry.id) || typeof entry.status !== 'string' || createdAt === undefined) {
    return undefined;
  }
  const listed = {
    id: entry.id,
    status: entry.status,
    createdAt,
    mediaCount: entry.kind === 'mms' || entry.type === 'mms' ? 1 : 0,
    inbound: entry.direction === 'inbound',
  };
  return { listed, ...(typeof entry.url === 'string' ? { url: entry.url } : {}) };
}

/** `GET /api/messaging/logs/{id}`, then its body read back like a listed entry's. */
async function fetchRestMessage(id: string, context: ListContext, credentials: SignalWireCredentials): Promise<FetchMessageResult> {
  if (!isSignalWireId(id)) return { ok: false, outcome: { kind: 'rejected', code: 'invalid-message-id', reason: 'not a SignalWire message id' } };
  const base = context.apiBaseUrl ?? credentials.spaceOrigin;
  const headers = { authorization: basicAuth(credentials.projectId, credentials.apiToken), accept: 'application/json' };
  const answer = await sendOrClassify(context.http, { method: 'GET', url: `${base}${LOGS_PATH}/${id}`, headers });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (answer.status === 404) return { ok: true };
  if (!isSuccessStatus(answer.status)) return listFailure(classifySignalWireRestError(answer, context.now()));
  const logged = loggedMessage(parseJsonObject(answer.body));
  if (logged === undefined) return UNREADABLE_PAGE;
  const hasBody = logged.url === undefined ? 'unknown' : await readBody(logged.url, base, headers, context);
  return typeof hasBody === 'object' ? hasBody : { ok: true, message: { ...logged.listed, hasBody } };
}

/** Reads a logged message through its own `url` (same space only) to test its body in memory. */
async function readBody(
  url: string,
  base: string,
  headers: Record<string, string>,
  context: ListContext,
): Promise<boolean | 'unknown' | Extract<ListPageResult, { ok: false }>> {
  if (!url.startsWith(`${base}/`)) return 'unknown';
  const answer = await sendOrClassify(context.http, { method: 'GET', url, headers });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (answer.status === 404) return 'unknown';
  if (!isSuccessStatus(answer.status)) return listFailure(classifySignalWireRestError(answer, context.now()));
  const message = parseJsonObject(answer.body);
  return message === undefined ? UNREADABLE_PAGE : holdsBody(message.body);
}
