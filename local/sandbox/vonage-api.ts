import { randomBytes, randomUUID } from 'node:crypto';
import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { basicAuth } from '../../functions/providers/http-helpers';
import { VONAGE_REDACTED } from '../../functions/providers/vonage-reports';
import { sortKey } from './message-store';
import { redactBody, type Answer, type ApiContext, type ApiRequest, type ErrorShapes, type ProviderApi } from './sandbox-api';
import type { SandboxMessage } from './sandbox-message';

/** The Reports API answers at most 1,000 records per synchronous page, then `TRUNCATED` with a next link. */
export const VONAGE_REPORTS_PAGE_SIZE = 1000;

/** A synchronous Reports query spans at most 24 hours ("Get records synchronously by date range"). */
const SYNC_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * An RFC 7807 problem as Vonage answers errors: `type` ends in `#<code>` (the code the adapter
 * classifies on), `title`, `detail`, `instance` (a trace id). Content-Type `application/problem+json`.
 */
function problem(status: number, api: 'redact' | 'reports' | 'general', code: string, title: string, detail: string, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: { type: `https://developer.nexmo.com/api-errors${api === 'general' ? '' : `/${api}`}#${code}`, title, detail, instance: randomBytes(16).toString('hex') },
  };
}

const ERRORS: ErrorShapes = {
  unauthorized: () => problem(401, 'general', 'unauthorized', 'Invalid credentials supplied', 'You did not provide correct credentials.'),
  notFound: (path) => problem(404, 'general', 'not-found', 'Not Found', `No resource at ${path}`),
  // "The Redact API supports 170 requests per second": over the sandbox's cap, Vonage's `rate-limit`.
  throttled: (retryAfterSeconds) =>
    problem(429, 'redact', 'rate-limit', 'Rate Limit Hit', 'Please wait, then retry your request', retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  serverError: (status) => problem(status, 'general', 'internal-error', status === 503 ? 'Service Unavailable' : 'Internal Error', 'Please try again later'),
};

const PRODUCTS: Readonly<Record<string, ProviderName>> = { sms: 'vonage-sms', messages: 'vonage-messages' };
const REPORT_PRODUCTS: Readonly<Record<string, ProviderName>> = { SMS: 'vonage-sms', MESSAGES: 'vonage-messages' };

/**
 * Vonage, one account (API key) for every API, all under one sandbox prefix (in production the SMS API
 * is on rest.nexmo.com, the others on api.nexmo.com):
 * - SMS API `POST /sms/json` (form or JSON, `api_key`/`api_secret` in the request) answers the
 *   `{ "message-count", messages: [{ "message-id", status: "0", … }] }` envelope;
 * - Messages API `POST /v1/messages` (Basic auth) answers 202 `{ message_uuid }`;
 * - Redact API `POST /v1/redact/transaction` `{ id, product, type }` (Basic auth): 204, or RFC 7807
 *   `invalid-id` (404), `premature-redaction` (403, the sandbox's "not final yet" fault), `rate-limit` (429);
 * - Reports API `GET /v2/reports/records` (Basic auth), synchronous, by `id` or by date range (at most
 *   24 hours) on `date_received`, 1,000 records a page, then `TRUNCATED` with `_links.next.href` (`cursor`, `iv`).
 * The sandbox does not enforce the Redact API's first hour (premature-redaction for a young record):
 * the demo redacts within seconds; the "not final yet" fault stands in for it.
 */
export const VONAGE_API: ProviderApi = {
  provider: 'vonage-sms',
  errors: ERRORS,
  accountOf: (c) => c.vonage.apiKey,
  authorized(route, request, c) {
    // The SMS API takes its credentials in the request itself, not in a header.
    if (route.messageId === '' && request.path === '/sms/json') {
      const fields = requestFields(request);
      return fields?.api_key === c.vonage.apiKey && fields.api_secret === c.vonage.apiSecret;
    }
    return request.headers.authorization === basicAuth(c.vonage.apiKey, c.vonage.apiSecret);
  },
  match(request) {
    if (request.path === '/v1/redact/transaction') {
      const fields = requestFields(request);
      const provider = PRODUCTS[String(fields?.product)] ?? 'vonage-sms';
      return { provider, messageId: typeof fields?.id === 'string' ? fields.id : '', handle: redact };
    }
    if (request.path === '/v2/reports/records') {
      return { provider: REPORT_PRODUCTS[request.query.get('product') ?? ''] ?? 'vonage-sms', messageId: '', handle: records };
    }
    if (request.path === '/sms/json') return { provider: 'vonage-sms', messageId: '', handle: sendSms };
    if (request.path === '/v1/messages') return { provider: 'vonage-messages', messageId: '', handle: sendMessage };
    return undefined;
  },
};

/** A JSON object body, or a form body, as string fields; undefined when it is neither. */
function requestFields(request: ApiRequest): Record<string, unknown> | undefined {
  const type = String(request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(request.body));
  try {
    const value = JSON.parse(request.body) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function redact(request: ApiRequest, context: ApiContext): Answer {
  if (request.method !== 'POST') return problem(405, 'general', 'method-not-allowed', 'Method Not Allowed', 'Use POST');
  const fields = requestFields(request);
  if (fields === undefined) return problem(400, 'redact', 'invalid-json', 'Invalid JSON', 'The request body must be a JSON object');
  const provider = PRODUCTS[String(fields.product)];
  if (provider === undefined) return problem(422, 'redact', 'invalid-product', 'Invalid Product', 'The provided product is invalid');
  if (typeof fields.id !== 'string' || fields.id === '') return problem(422, 'redact', 'invalid-json', 'Invalid JSON', 'id is required');
  // `type` is required when redacting SMS data; a record of the other direction is another record.
  if (fields.type !== undefined && fields.type !== 'inbound' && fields.type !== 'outbound') {
    return problem(422, 'redact', 'invalid-json', 'Invalid JSON', 'type must be inbound or outbound');
  }
  if (provider === 'vonage-sms' && fields.type === undefined) return problem(422, 'redact', 'invalid-json', 'Invalid JSON', 'type is required for product sms');
  const message = context.store.get(provider, fields.id);
  const direction = fields.type ?? message?.direction;
  if (message === undefined || message.provider !== provider || message.direction !== direction) {
    return problem(404, 'redact', 'invalid-id', 'Invalid ID', `ID '${fields.id}' could not be found (type=${direction === 'inbound' ? 'MO' : 'MT'})`);
  }
  if (context.faults.refuseAsNotFinal(message)) {
    return problem(403, 'redact', 'premature-redaction', 'Premature Redaction', `You must wait 60 minutes before redacting ID '${message.id}'`);
  }
  redactBody(message, context.store.now());
  return { status: 204 };
}

/** `GET /v2/reports/records`: one synchronous page of an account's records for one product and direction. */
function records(request: ApiRequest, context: ApiContext): Answer {
  if (request.method !== 'GET') return problem(405, 'general', 'method-not-allowed', 'Method Not Allowed', 'Use GET');
  const q = request.query;
  const invalid = (detail: string) => problem(400, 'reports', 'invalid-parameters', 'Invalid parameters', detail);
  if (q.get('account_id') !== context.credentials.vonage.apiKey) return problem(403, 'reports', 'forbidden', 'Forbidden', 'account_id is not this account');
  const provider = REPORT_PRODUCTS[q.get('product') ?? ''];
  if (provider === undefined) return invalid('product must be one of SMS, MESSAGES (the sandbox serves these two)');
  const direction = q.get('direction');
  if (direction !== 'inbound' && direction !== 'outbound') return invalid('direction is required: inbound or outbound');
  const includeMessage = q.get('include_message') === 'true';
  const ids = q.get('id');
  if (ids !== null) {
    // By id (comma-separated): no date range; ids the account does not hold are listed as not found.
    const wanted = ids.split(',').filter((id) => id !== '');
    const found = wanted.map((id) => context.store.get(provider, id)).filter((m): m is SandboxMessage => m !== undefined && m.provider === provider && m.direction === direction);
    return {
      status: 200,
      body: {
        _links: { self: { href: `${context.origin}/vonage/v2/reports/records?${q.toString()}` } },
        request_status: 'SUCCESS',
        direction,
        product: q.get('product'),
        account_id: context.credentials.vonage.apiKey,
        include_message: includeMessage,
        received_at: new Date(context.store.now()).toISOString(),
        ids_not_found: wanted.filter((id) => !found.some((m) => m.id === id)).join(','),
        records: found.map((m) => record(m, provider, includeMessage, context)),
      },
    };
  }
  const start = Date.parse(q.get('date_start') ?? '');
  const end = Date.parse(q.get('date_end') ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) return invalid('date_start and date_end must be ISO-8601 times');
  if (end <= start) return invalid('date_end must be after date_start');
  if (end - start > SYNC_WINDOW_MS) return invalid('date ranges are limited to a window of 24 hours for synchronous queries');
  const cursor = q.get('cursor');
  const after = cursor === null ? undefined : readCursor(cursor);
  if (cursor !== null && after === undefined) return invalid('cursor is not valid');
  // Oldest first; the sort key (date, then id) orders them totally, so a cursor survives new records.
  const matching = [...context.store.newestFirst('vonage')]
    .reverse()
    .filter((m) => m.provider === provider && m.direction === direction && inRange(received(m), start, end) && (after === undefined || sortKey(m) > after));
  const page = matching.slice(0, VONAGE_REPORTS_PAGE_SIZE);
  const truncated = matching.length > page.length;
  const self = `${context.origin}/vonage/v2/reports/records?${q.toString()}`;
  const next = new URLSearchParams(q);
  if (truncated) {
    next.set('cursor', Buffer.from(sortKey(page[page.length - 1]!), 'utf8').toString('base64url'));
    next.set('iv', randomBytes(16).toString('base64url'));
  }
  return {
    status: 200,
    body: {
      _links: { self: { href: self }, ...(truncated ? { next: { href: `${context.origin}/vonage/v2/reports/records?${next.toString()}` } } : {}) },
      request_status: truncated ? 'TRUNCATED' : 'SUCCESS',
      direction,
      product: q.get('product'),
      account_id: context.credentials.vonage.apiKey,
      date_start: q.get('date_start'),
      date_end: q.get('date_end'),
      include_message: includeMessage,
      received_at: new Date(context.store.now()).toISOString(),
      price: 0,
      currency: 'EUR',
      records: page.map((m) => record(m, provider, includeMessage, context)),
    },
  };
}

function received(message: SandboxMessage): number {
  return message.dateSent ?? message.dateCreated ?? 0;
}

function inRange(at: number, start: number, end: number): boolean {
  return at >= start && at < end;
}

function readCursor(cursor: string): string | undefined {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{15}:[\w-]+$/.test(key) ? key : undefined;
}

/** Vonage's record date format: ISO-8601 with a `+0000` offset. */
function vonageDate(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** One record, with the fields of the Reports API's SMS and MESSAGES records. */
function record(message: SandboxMessage, provider: ProviderName, includeMessage: boolean, context: ApiContext): Record<string, unknown> {
  const status = context.faults.visibleStatus(message);
  const final = !['submitted', 'accepted', 'buffered', 'unknown'].includes(status);
  const common = {
    account_id: context.credentials.vonage.apiKey,
    message_id: message.id,
    client_ref: null,
    direction: message.direction,
    from: message.from ?? '',
    to: message.to ?? '',
    date_received: vonageDate(received(message)),
    date_finalized: final ? vonageDate(message.dateStatusChanged ?? message.dateUpdated) : null,
    status,
    currency: 'EUR',
    total_price: '0.0333',
    // Vonage overwrites redacted content with "REDACTED" ("Redact your data"); the store keeps it as ''.
    ...(includeMessage ? { message_body: message.body === '' && message.redactedAt !== undefined ? VONAGE_REDACTED : message.body } : {}),
  };
  if (provider === 'vonage-sms') {
    return { ...common, network: '23410', network_name: 'Vodafone', country: 'GB', country_name: 'United Kingdom', latency: 1200, error_code: status === 'delivered' ? '0' : null };
  }
  return { ...common, channel: message.media.length > 0 ? 'mms' : 'sms', provider: 'vonage', error_code: null };
}

/** SMS API send: `POST /sms/json` with `from`, `to`, `text`; the answer's `status` "0" means accepted. */
function sendSms(request: ApiRequest, context: ApiContext): Answer {
  if (request.method !== 'POST') return problem(405, 'general', 'method-not-allowed', 'Method Not Allowed', 'Use POST');
  const fields = requestFields(request) ?? {};
  // The SMS API answers 200 with a per-message status code, even for a missing parameter ("2").
  const missing = (['from', 'to', 'text'] as const).find((key) => typeof fields[key] !== 'string' || fields[key] === '');
  if (missing !== undefined) {
    return { status: 200, body: { 'message-count': '1', messages: [{ status: '2', 'error-text': `Missing ${missing}` }] } };
  }
  const message = context.store.add('vonage-sms', {
    body: fields.text as string,
    from: fields.from as string,
    to: fields.to as string,
    ...(typeof fields.callback === 'string' ? { statusCallback: fields.callback } : {}),
  });
  return {
    status: 200,
    body: {
      'message-count': '1',
      messages: [{ to: message.to, 'message-id': message.id, status: '0', 'remaining-balance': '10.00000000', 'message-price': '0.03330000', network: '23410' }],
    },
  };
}

/** Messages API send: `POST /v1/messages` `{ message_type, to, from, channel, text }` → 202 `{ message_uuid }`. */
function sendMessage(request: ApiRequest, context: ApiContext): Answer {
  if (request.method !== 'POST') return problem(405, 'general', 'method-not-allowed', 'Method Not Allowed', 'Use POST');
  const fields = requestFields(request);
  const missing = (['to', 'from', 'channel', 'message_type'] as const).find((key) => typeof fields?.[key] !== 'string' || fields[key] === '');
  if (fields === undefined || missing !== undefined) {
    return { status: 422, headers: { 'content-type': 'application/problem+json' }, body: { type: 'https://developer.vonage.com/api-errors/messages#1150', title: 'Invalid params', detail: `The value of one or more parameters is invalid: ${missing ?? 'body'}`, instance: randomUUID() } };
  }
  const media = fields.channel === 'mms' && fields.message_type === 'image' ? 1 : 0;
  const message = context.store.add('vonage-messages', { body: typeof fields.text === 'string' ? fields.text : '', from: fields.from as string, to: fields.to as string, media });
  return { status: 202, body: { message_uuid: message.id } };
}
