import { iso, pageSize, type Answer, type ApiContext, type ApiRequest, type ErrorShapes, type ProviderApi } from './sandbox-api';
import type { SandboxMessage } from './sandbox-message';

/** The partner the sandbox's CarrierX token belongs to (CarrierX's account id is the partner_sid). */
export const SANDBOX_CARRIERX_PARTNER_SID = 'e00430c3-a7d0-4666-ab5c-f7202448382f';

/** CarrierX errors are `{ message, errors: [{ field, message, reference_sid }] }`; the texts here are not documented. */
function carrierXError(status: number, message: string, errors: ReadonlyArray<{ field: string; message: string }> = []): Answer {
  return { status, body: { message, errors: errors.map((e) => ({ ...e, reference_sid: null })) } };
}

const ERRORS: ErrorShapes = {
  unauthorized: () => carrierXError(401, 'unauthorized'),
  notFound: () => carrierXError(404, 'object not found'),
  throttled: (retryAfterSeconds) => ({
    ...carrierXError(429, 'too many requests'),
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  }),
  serverError: (status) => carrierXError(status, 'internal server error'),
};

const notAllowed = carrierXError(405, 'method not allowed');

/**
 * CarrierX Core v2 SMS (`/core/v2/sms/messages`), `Authorization: Bearer <token>`. The documented update
 * (PATCH/PUT) changes only `user_data`: a `message` field is ignored, so the body cannot be blanked.
 * The list takes `limit` (default 10, at most 1000), `offset`, `order` and `filter` as CarrierX documents
 * for every list; it answers `{ count, has_more, items, limit, offset, pagination, total }`.
 */
export const CARRIERX_API: ProviderApi = {
  provider: 'carrierx',
  errors: ERRORS,
  accountOf: () => SANDBOX_CARRIERX_PARTNER_SID,
  authorized: (_route, request, c) => request.headers.authorization === `Bearer ${c.carrierx.token}`,
  match(request) {
    if (request.path === '/sms/messages') return { provider: 'carrierx', messageId: '', handle: collection };
    const m = /^\/sms\/messages\/([^/]+)$/.exec(request.path);
    if (!m) return undefined;
    const messageId = m[1]!;
    return { provider: 'carrierx', messageId, handle: (req, context) => instance(messageId, req, context) };
  },
};

function instance(messageId: string, request: ApiRequest, context: ApiContext): Answer {
  const message = context.store.get('carrierx', messageId);
  if (message === undefined) return ERRORS.notFound(request.path);
  // A CarrierX redaction starts by reading the status, so the GET is where "not final yet" shows.
  if (request.method === 'GET') {
    context.faults.refuseAsNotFinal(message);
    return { status: 200, body: smsObject(message, context) };
  }
  if (request.method !== 'PATCH' && request.method !== 'PUT') return notAllowed;
  let update: { user_data?: unknown } | null;
  try {
    update = JSON.parse(request.body) as typeof update;
  } catch {
    return carrierXError(400, 'malformed json');
  }
  if (typeof update?.user_data === 'string') {
    message.userData = update.user_data;
    message.dateUpdated = context.store.now();
  }
  return { status: 200, body: smsObject(message, context) };
}

function collection(request: ApiRequest, context: ApiContext): Answer {
  if (request.method === 'POST') return create(request, context);
  if (request.method !== 'GET') return notAllowed;
  const q = request.query;
  const filter = q.get('filter');
  const match = filter === null ? () => true : parseFilter(filter);
  if (match === undefined) return carrierXError(400, 'invalid filter', [{ field: 'filter', message: 'expected "<field> <eq|ne|gt|ge|lt|le> <value>" joined by "and"' }]);
  const order = q.get('order') ?? 'date_created asc';
  if (!/^date_created(?:[ +](asc|desc))?$/.test(order)) return carrierXError(400, 'invalid order', [{ field: 'order', message: 'the sandbox orders by date_created only' }]);
  // Oldest first unless asked otherwise: offset paging then stays put while new messages arrive.
  const newestFirst = context.store.newestFirst('carrierx');
  const sorted = order.endsWith('desc') ? newestFirst : [...newestFirst].reverse();
  const all = sorted.filter((m) => match(smsObject(m, context)));
  const limit = pageSize(q.get('limit'), 10);
  const offset = Math.max(0, Number(q.get('offset') ?? 0) || 0);
  const items = all.slice(offset, offset + limit);
  const hasMore = offset + limit < all.length;
  const kept = new URLSearchParams();
  if (filter !== null) kept.set('filter', filter);
  if (q.get('order') !== null) kept.set('order', order);
  const link = (at: number) => {
    const params = new URLSearchParams(kept);
    params.set('limit', String(limit));
    params.set('offset', String(at));
    return `${context.origin}/carrierx/core/v2/sms/messages?${params}`;
  };
  return {
    status: 200,
    body: {
      count: items.length,
      has_more: hasMore,
      items: items.map((m) => smsObject(m, context)),
      limit,
      offset,
      pagination: {
        ...(hasMore ? { next: link(offset + limit) } : {}),
        ...(offset > 0 ? { previous: link(Math.max(0, offset - limit)) } : {}),
      },
      total: all.length,
    },
  };
}

/** `POST /sms/messages` with `{ from, to, message, media_urls? }`. */
function create(request: ApiRequest, context: ApiContext): Answer {
  let sms: { from?: unknown; to?: unknown; message?: unknown; media_urls?: unknown } | null;
  try {
    sms = JSON.parse(request.body) as typeof sms;
  } catch {
    return carrierXError(400, 'malformed json');
  }
  const missing = (['from', 'to'] as const).filter((field) => typeof sms?.[field] !== 'string' || sms[field] === '');
  if (missing.length > 0) return carrierXError(422, 'validation error', missing.map((field) => ({ field, message: 'field is required' })));
  const media = Array.isArray(sms?.media_urls) ? sms.media_urls.length : 0;
  const message = context.store.add('carrierx', { body: typeof sms?.message === 'string' ? sms.message : '', from: sms!.from as string, to: sms!.to as string, media });
  return { status: 200, body: smsObject(message, context) };
}

/** The SMS object with the fields of CarrierX's sample (CarrierX's Core API "Update Message" sample). */
function smsObject(message: SandboxMessage, context: ApiContext): Record<string, unknown> {
  return {
    date_changed: iso(message.dateUpdated),
    date_created: iso(message.dateCreated),
    date_status_changed: iso(message.dateStatusChanged ?? message.dateSent),
    direction: message.direction,
    from: message.from ?? '',
    group_recipients: [],
    mcc: 310,
    media_urls: message.media.map((id) => `https://storage.carrierx.com/f/${id}`),
    message: message.body,
    message_segments: message.segments ?? 1,
    message_sid: message.id,
    mnc: 999,
    partner_sid: SANDBOX_CARRIERX_PARTNER_SID,
    price: '0.01',
    status: context.faults.visibleStatus(message),
    to: message.to ?? '',
    type: message.media.length > 0 ? 'mms' : 'sms',
    user_data: message.userData,
  };
}

/**
 * CarrierX result filtering: `field op value` conditions joined by `and`, values optionally quoted.
 * Values compare as numbers when both sides are numbers, else as strings (ISO dates order correctly).
 */
export function parseFilter(filter: string): ((item: Record<string, unknown>) => boolean) | undefined {
  const conditions = filter.split(/\s+and\s+/i).map((part) => /^\s*([\w.]+)\s+(eq|ne|gt|ge|lt|le)\s+("([^"]*)"|'([^']*)'|(\S+))\s*$/i.exec(part));
  if (conditions.some((c) => c === null)) return undefined;
  const tests = conditions.map((c) => {
    const [, field, op, , dq, sq, bare] = c!;
    const expected = dq ?? sq ?? bare ?? '';
    return (item: Record<string, unknown>) => {
      const actual = field!.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), item);
      if (actual === undefined || actual === null) return op!.toLowerCase() === 'ne';
      const numeric = typeof actual === 'number' && /^-?\d+(\.\d+)?$/.test(expected);
      const a = numeric ? (actual as number) : String(actual);
      const b = numeric ? Number(expected) : expected;
      switch (op!.toLowerCase()) {
        case 'eq': return a === b;
        case 'ne': return a !== b;
        case 'gt': return a > b;
        case 'ge': return a >= b;
        case 'lt': return a < b;
        default: return a <= b;
      }
    };
  });
  return (item) => tests.every((test) => test(item));
}
