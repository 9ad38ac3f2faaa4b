import { SIGNALWIRE_UNCAPPED_METHODS } from './sandbox-api';
import { basicAuth } from '../../functions/providers/http-helpers';
import { cursorPage, pageToken, readPageToken } from './message-store';
import { iso, pageSize, redactBody, type Answer, type ApiContext, type ApiRequest, type ErrorShapes, type ProviderApi } from './sandbox-api';
import type { SandboxMessage } from './sandbox-message';

const ERROR_DOCS = 'https://developer.signalwire.com/rest/overview/error-codes';

/** A validation error in the documented `{ errors: [{ type, code, message, attribute, url }] }` shape. */
function validationError(status: number, code: string, message: string, attribute: string | null, type = 'validation_error'): Answer {
  return { status, body: { errors: [{ type, code, message, attribute, url: `${ERROR_DOCS}#${code}` }] } };
}

/**
 * The OpenAPI spec of the redact endpoint gives 400/401/404/500 as `{ error: "<reason phrase>" }` and
 * 422 as the `errors` list. A 429 is not documented: the `errors` list is used for it.
 */
const ERRORS: ErrorShapes = {
  unauthorized: () => ({ status: 401, body: { error: 'Unauthorized' } }),
  notFound: () => ({ status: 404, body: { error: 'Not Found' } }),
  throttled: (retryAfterSeconds) => ({
    ...validationError(429, 'too_many_requests', 'Too many requests', null, 'rate_limit'),
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  }),
  serverError: (status) => ({ status, body: { error: status === 503 ? 'Service Unavailable' : 'Internal Server Error' } }),
};

const notAllowed: Answer = { status: 405, body: { error: 'Method Not Allowed' } };

/**
 * SignalWire's REST messaging API: `PATCH /api/messaging/messages/{id}` with `{"body":""}` (redaction,
 * the only update it accepts) and the message logs, `GET /api/messaging/logs[/{id}]`. Basic auth
 * project:api token. Log entries carry no body: their `url` points at the cXML message resource.
 */
export const SIGNALWIRE_REST_API: ProviderApi = {
  provider: 'signalwire-rest',
  errors: ERRORS,
  uncappedMethods: SIGNALWIRE_UNCAPPED_METHODS,
  accountOf: (c) => c.signalwire.projectId,
  authorized: (_route, request, c) => request.headers.authorization === basicAuth(c.signalwire.projectId, c.signalwire.apiToken),
  match(request) {
    let m = /^\/api\/messaging\/messages\/([^/]+)$/.exec(request.path);
    if (m) {
      const messageId = m[1]!;
      return { provider: 'signalwire-rest', messageId, handle: (req, context) => redact(messageId, req, context) };
    }
    if (request.path === '/api/messaging/logs') return { provider: 'signalwire-rest', messageId: '', handle: listLogs };
    m = /^\/api\/messaging\/logs\/([^/]+)$/.exec(request.path);
    if (m) {
      const messageId = m[1]!;
      return {
        provider: 'signalwire-rest',
        messageId,
        handle: (req, context) => {
          if (req.method !== 'GET') return notAllowed;
          const message = context.store.get('signalwire-rest', messageId);
          return message === undefined ? ERRORS.notFound(req.path) : { status: 200, body: logEntry(message, context) };
        },
      };
    }
    return undefined;
  },
};

function redact(messageId: string, request: ApiRequest, context: ApiContext): Answer {
  if (request.method !== 'PATCH') return notAllowed;
  const message = context.store.get('signalwire-rest', messageId);
  if (message === undefined) return ERRORS.notFound(request.path);
  const refusedAsNotFinal = context.faults.refuseAsNotFinal(message);
  let update: unknown;
  try {
    update = JSON.parse(request.body);
  } catch {
    return { status: 400, body: { error: 'Bad Request' } };
  }
  if ((update as { body?: unknown } | null)?.body !== '') return validationError(422, 'body_must_be_empty', 'body must be an empty string', 'body');
  if (refusedAsNotFinal || context.faults.inProgress(message)) {
    return validationError(422, 'message_in_progress', 'Messages that are queued or initiated cannot be redacted', 'status');
  }
  redactBody(message, context.store.now());
  return { status: 200, body: messageResource(message, context) };
}

/** The `Message.Message` schema the redact endpoint returns. */
function messageResource(message: SandboxMessage, context: ApiContext): Record<string, unknown> {
  return {
    id: message.id,
    from: message.from ?? '',
    to: message.to ?? '',
    body: message.body,
    status: context.faults.visibleStatus(message),
    direction: message.direction,
    kind: message.media.length > 0 ? 'mms' : 'sms',
    media: message.media.map((id) => `${context.origin}/signalwire/media/${id}`),
    number_of_segments: message.segments ?? 1,
    error_code: message.errorCode === undefined ? null : String(message.errorCode),
    error_message: message.errorCode === undefined ? null : 'Unreachable destination handset',
    created_at: iso(message.dateCreated),
    project_id: context.credentials.signalwire.projectId,
    status_callback_url: message.statusCallback ?? null,
    message_uri: `/api/messaging/logs/${message.id}`,
  };
}

/** A message log entry: ids, status, dates and counts, never the body. */
function logEntry(message: SandboxMessage, context: ApiContext): Record<string, unknown> {
  const project = context.credentials.signalwire.projectId;
  const relay = message.provider === 'signalwire-rest';
  return {
    id: message.id,
    from: message.from ?? '',
    to: message.to ?? '',
    status: context.faults.visibleStatus(message),
    direction: message.direction,
    kind: message.media.length > 0 ? 'mms' : 'sms',
    source: relay ? 'relay' : 'laml',
    type: relay ? 'relay_message' : 'laml_message',
    // The docs give Relay messages a null url; the sandbox links every entry to its cXML resource so a
    // sweep can read the body back (unconfirmed for real Relay messages).
    url: `${context.origin}/signalwire/api/laml/2010-04-01/Accounts/${project}/Messages/${message.id}`,
    number_of_segments: message.segments ?? 1,
    charge: 0.0079,
    charge_details: [{ description: message.direction === 'inbound' ? 'Inbound SMS' : 'Outbound SMS', charge: 0.0079 }],
    created_at: iso(message.dateCreated),
    error_message: message.errorCode === undefined ? null : 'Unreachable destination handset',
    error_code: message.errorCode === undefined ? null : String(message.errorCode),
  };
}

/**
 * `GET /api/messaging/logs`: newest first; `created_after`/`created_before`/`created_on` (a date is
 * taken as a whole UTC day, both bounds inclusive; a full timestamp as that instant), `page_size`
 * ≤ 1000 (default 50), the next page in `links.next` carrying a `page_token`.
 */
function listLogs(request: ApiRequest, context: ApiContext): Answer {
  if (request.method !== 'GET') return notAllowed;
  const q = request.query;
  const bounds: { after?: number; before?: number } = {};
  for (const key of ['created_after', 'created_before', 'created_on'] as const) {
    const value = q.get(key);
    if (value === null) continue;
    const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const at = Date.parse(day ? `${value}T00:00:00Z` : value);
    if (!Number.isFinite(at)) return validationError(422, 'invalid_parameter', `${key} must be a date (YYYY-MM-DD) or an ISO 8601 time`, key);
    const endOfDay = day ? at + 86_400_000 - 1 : at;
    if (key === 'created_after' || key === 'created_on') bounds.after = Math.max(bounds.after ?? -Infinity, at);
    if (key === 'created_before' || key === 'created_on') bounds.before = Math.min(bounds.before ?? Infinity, endOfDay);
  }
  const all = context.store
    .newestFirst('signalwire')
    .filter((m) => (bounds.after === undefined || (m.dateCreated ?? 0) >= bounds.after) && (bounds.before === undefined || (m.dateCreated ?? 0) <= bounds.before));
  const size = pageSize(q.get('page_size'), 50);
  const pageNumber = Math.max(0, Number(q.get('page_number') ?? 0) || 0);
  const token = q.get('page_token');
  const cursor = token === null ? undefined : readPageToken(token);
  if (token !== null && cursor === undefined) return validationError(422, 'invalid_parameter', 'page_token is not valid', 'page_token');
  const cut = cursorPage(all, size, cursor ?? { offset: pageNumber * size });
  const kept = new URLSearchParams();
  for (const key of ['created_after', 'created_before', 'created_on', 'include_deleted']) {
    const value = q.get(key);
    if (value !== null) kept.set(key, value);
  }
  const base = `${context.origin}/signalwire/api/messaging/logs`;
  const link = (params: string) => `${base}?${params}${kept.size > 0 ? `&${kept}` : ''}`;
  const first = cut.items[0];
  const last = cut.items[cut.items.length - 1];
  return {
    status: 200,
    body: {
      links: {
        self: link(`page_number=${pageNumber}&page_size=${size}${token === null ? '' : `&page_token=${token}`}`),
        first: link(`page_size=${size}`),
        ...(cut.hasNext && last ? { next: link(`page_number=${pageNumber + 1}&page_size=${size}&page_token=${pageToken('after', last)}`) } : {}),
        ...(cut.hasPrevious && first ? { prev: link(`page_number=${Math.max(0, pageNumber - 1)}&page_size=${size}&page_token=${pageToken('before', first)}`) } : {}),
      },
      data: cut.items.map((m) => logEntry(m, context)),
    },
  };
}
