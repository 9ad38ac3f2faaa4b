import type { ProviderName } from '../../functions/core/provider-rules/provider-name';
import { basicAuth } from '../../functions/providers/http-helpers';
import { cursorPage, pageToken, readPageToken, type CursorPage } from './message-store';
import { pageSize, redactBody, rfc2822, type Answer, type ApiContext, type ApiRequest, type ApiRoute, type ErrorShapes, type ProviderApi, type SandboxCredentials } from './sandbox-api';
import { providerFamily, type SandboxMessage } from './sandbox-message';
import { matchAccountsResource } from './twilio-accounts-api';

/**
 * What differs between Twilio's Messages API and SignalWire's cXML copy of it. Everything else
 * (resources, paging, create/fetch/update/delete, media) is the one Twilio-shaped API below.
 */
export interface TwilioStyleDialect {
  readonly provider: Extract<ProviderName, 'twilio' | 'signalwire-compat'>;
  /** API roots under the sandbox prefix, e.g. `/2010-04-01`. */
  readonly roots: readonly string[];
  /** Whether a path without `.json` is served (SignalWire documents both). */
  readonly jsonSuffixOptional: boolean;
  readonly account: (credentials: SandboxCredentials) => { readonly id: string; readonly token: string };
  /** Link in an error's `more_info`. */
  readonly moreInfo: (code: number | string) => string;
  /** SignalWire writes `num_media`/`num_segments`/`price` as numbers, Twilio as strings. */
  readonly numericCounts: boolean;
  /** SignalWire's list has a `Status` filter; Twilio's has none (it ignores the parameter). */
  readonly statusFilter: boolean;
  /** Methods the concurrency cap leaves alone (see ProviderApi). */
  readonly uncappedMethods?: ReadonlySet<string>;
  /** Answers to a redaction refused for a non-empty Body, and for a message still in progress. */
  readonly refusals: { readonly bodyNotEmpty: TwilioError; readonly inProgress: TwilioError };
  /** Twilio: the Accounts resource and subaccounts (a parent's credentials act on its subaccounts' resources). */
  readonly subaccounts?: boolean;
}

/** A Twilio-shaped error: HTTP status, code and message (`more_info` and `status` are added). */
export interface TwilioError {
  readonly status: number;
  readonly code: number | string;
  readonly message: string;
}

const MESSAGE_DEFAULTS = { contentType: 'image/jpeg', priceUnit: 'USD', price: '-0.00790' } as const;
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'read', 'received', 'sent', 'canceled']);
const DATE_FILTERS = ['DateSent', 'DateSent<', 'DateSent>'] as const;

type Part = 'collection' | 'message' | 'media-list' | 'media';

/** Builds a Twilio-shaped Messages API for one dialect. */
export function twilioStyleApi(dialect: TwilioStyleDialect): ProviderApi {
  const errors = twilioStyleErrors(dialect);
  const suffix = dialect.jsonSuffixOptional ? '(\\.json)?' : '(\\.json)';
  const patterns = dialect.roots.map((root) => ({
    root,
    regex: new RegExp(`^${root.replace(/[.]/g, '\\.')}/Accounts/([^/]+)/Messages(?:/([^/.]+)(/Media(?:/([^/.]+))?)?)?${suffix}$`),
  }));

  return {
    provider: dialect.provider,
    errors,
    ...(dialect.uncappedMethods === undefined ? {} : { uncappedMethods: dialect.uncappedMethods }),
    accountOf: (credentials) => dialect.account(credentials).id,
    authorized(route, request, credentials, subaccounts) {
      const account = dialect.account(credentials);
      const header = request.headers.authorization;
      if (header === basicAuth(account.id, account.token)) {
        // The main account's credentials reach its own resources, the Accounts list, and (Twilio) every
        // subaccount's resources: https://www.twilio.com/docs/iam/api/subaccounts#authentication
        if (route.account === undefined) return dialect.subaccounts === true; // the Accounts list and create
        return route.account === account.id || (dialect.subaccounts === true && subaccounts.get(route.account) !== undefined);
      }
      // A subaccount's own credentials reach its own resources only.
      const subaccount = dialect.subaccounts === true && route.account !== undefined ? subaccounts.get(route.account) : undefined;
      return subaccount !== undefined && header === basicAuth(subaccount.sid, subaccount.authToken);
    },
    match(request) {
      if (dialect.subaccounts === true) {
        for (const root of dialect.roots) {
          const accounts = matchAccountsResource(request, root, (r) => ({ root: r, error: errors.error, notFound: errors.notFound }));
          if (accounts) return accounts;
        }
      }
      for (const { root, regex } of patterns) {
        const m = regex.exec(request.path);
        if (!m) continue;
        const [, account = '', messageId, media, mediaId, json = ''] = m;
        const part: Part = messageId === undefined ? 'collection' : media === undefined ? 'message' : mediaId === undefined ? 'media-list' : 'media';
        const where: Where = { root, account, json };
        return {
          provider: dialect.provider,
          account,
          messageId: messageId ?? '',
          handle: (req, context) => handle({ dialect, errors, where }, { part, messageId: messageId ?? '', mediaId }, req, context),
        } satisfies ApiRoute;
      }
      return undefined;
    },
  };
}

/** Where a request came in: the API root it used and whether it asked with `.json`. */
interface Where {
  readonly root: string;
  readonly account: string;
  readonly json: string;
}

type TwilioStyleErrors = ErrorShapes & { error(e: TwilioError): Answer };

/** What every handler of one request needs to know besides the request itself. */
interface Scope {
  readonly dialect: TwilioStyleDialect;
  readonly errors: TwilioStyleErrors;
  readonly where: Where;
}

function handle(scope: Scope, target: { readonly part: Part; readonly messageId: string; readonly mediaId: string | undefined }, request: ApiRequest, context: ApiContext): Answer {
  const { dialect, errors, where } = scope;
  const { part, messageId, mediaId } = target;
  const method = request.method;
  const notAllowed = errors.error({ status: 405, code: 20004, message: 'Method not allowed' });
  if (part === 'collection') {
    if (method === 'GET') return listMessages(scope, request, context);
    if (method === 'POST') return createMessage(scope, request, context);
    return notAllowed;
  }
  const message = context.store.get(dialect.provider, messageId);
  // A message is found only under the account that holds it (a subaccount's, or the main account's).
  if (message === undefined || (message.account ?? dialect.account(context.credentials).id) !== where.account) return errors.notFound(request.path);
  if (part === 'message') {
    if (method === 'GET') return { status: 200, body: messageResource(dialect, where, message, context) };
    if (method === 'POST') return updateMessage(scope, message, request, context);
    if (method === 'DELETE') {
      if (context.faults.inProgress(message)) return errors.error({ status: 400, code: 20009, message: 'Cannot delete this resource before it is complete' });
      context.store.remove(message.id);
      return { status: 204 };
    }
    return notAllowed;
  }
  if (part === 'media-list') {
    if (method !== 'GET') return notAllowed;
    const size = pageSize(request.query.get('PageSize'), 50);
    const offset = Math.max(0, Number(request.query.get('Page') ?? 0) || 0) * size;
    const items = message.media.slice(offset, offset + size);
    const base = `${where.root}/Accounts/${where.account}/Messages/${message.id}/Media${where.json}`;
    const page = offset / size;
    return {
      status: 200,
      body: {
        media_list: items.map((sid) => mediaResource(dialect, where, message, sid, context)),
        ...pageMeta({
          base,
          filters: new URLSearchParams(),
          size,
          page,
          start: offset,
          count: items.length,
          ...(offset + size < message.media.length ? { next: `Page=${page + 1}` } : {}),
          ...(page > 0 ? { previous: `Page=${page - 1}` } : {}),
          request,
        }),
      },
    };
  }
  if (mediaId === undefined || !message.media.includes(mediaId)) return errors.notFound(request.path);
  if (method === 'GET') return { status: 200, body: mediaResource(dialect, where, message, mediaId, context) };
  if (method === 'DELETE') {
    if (context.faults.inProgress(message)) return errors.error({ status: 400, code: 20009, message: 'Cannot delete media of a message in progress' });
    message.media = message.media.filter((id) => id !== mediaId);
    message.dateUpdated = context.store.now();
    return { status: 204 };
  }
  return notAllowed;
}

/** Redaction: `Body=` (empty) only; a message still in progress is refused with the provider's error. */
function updateMessage({ dialect, errors, where }: Scope, message: SandboxMessage, request: ApiRequest, context: ApiContext): Answer {
  const refusedAsNotFinal = context.faults.refuseAsNotFinal(message);
  const form = new URLSearchParams(request.body);
  if (!form.has('Body') || form.get('Body') !== '') return errors.error(dialect.refusals.bodyNotEmpty);
  if (refusedAsNotFinal || context.faults.inProgress(message)) return errors.error(dialect.refusals.inProgress);
  redactBody(message, context.store.now());
  return { status: 200, body: messageResource(dialect, where, message, context) };
}

/** `POST …/Messages.json`: To, From (or MessagingServiceSid), Body (or MediaUrl), as Twilio validates them. */
function createMessage({ dialect, errors, where }: Scope, request: ApiRequest, context: ApiContext): Answer {
  const form = new URLSearchParams(request.body);
  const to = form.get('To');
  const from = form.get('From');
  const service = form.get('MessagingServiceSid');
  const body = form.get('Body') ?? '';
  const mediaUrls = form.getAll('MediaUrl');
  if (!to) return errors.error({ status: 400, code: 21604, message: "A 'To' phone number is required." });
  if (!from && !service) return errors.error({ status: 400, code: 21603, message: "A 'From' phone number is required." });
  if (body === '' && mediaUrls.length === 0) return errors.error({ status: 400, code: 21602, message: 'Message body is required.' });
  const statusCallback = form.get('StatusCallback');
  const message = context.store.add(dialect.provider, {
    ...(subaccountOf(dialect, where, context) === undefined ? {} : { account: where.account }),
    body,
    status: from ? 'queued' : 'accepted',
    media: mediaUrls.length,
    to,
    from: from ?? '',
    ...(statusCallback ? { statusCallback } : {}),
  });
  return { status: 201, body: messageResource(dialect, where, message, context) };
}

/** `GET …/Messages.json`: newest first, `PageSize` ≤ 1000 (default 50), `PageToken` cursors, day-granular `DateSent` filters. */
function listMessages({ dialect, errors, where }: Scope, request: ApiRequest, context: ApiContext): Answer {
  const q = request.query;
  const filters = new URLSearchParams();
  for (const key of ['To', 'From', ...DATE_FILTERS, ...(dialect.statusFilter ? ['Status'] : [])]) {
    const value = q.get(key);
    if (value !== null) filters.set(key, value);
  }
  const days: Partial<Record<(typeof DATE_FILTERS)[number], string>> = {};
  for (const key of DATE_FILTERS) {
    const value = filters.get(key);
    if (value === null) continue;
    // Only the date counts (YYYY-MM-DD, UTC): a time after it, as twilio-node sends, is ignored.
    const day = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value)?.[1];
    if (day === undefined) return errors.error({ status: 400, code: 20001, message: `Invalid value for ${key}: expected YYYY-MM-DD` });
    days[key] = day;
  }
  const status = dialect.statusFilter ? q.get('Status') : null;
  // Only what has been sent by the provider's clock, cut by binary search (the list is sorted by date
  // sent): a bench account holds a million messages, and a scan per page would dominate the run.
  const sorted = context.store.newestFirst(providerFamily(dialect.provider), subaccountOf(dialect, where, context));
  const dayEnd = days.DateSent ?? days['DateSent<'];
  const dayStart = days.DateSent ?? days['DateSent>'];
  const newest = Math.min(context.store.now(), dayEnd === undefined ? Infinity : Date.parse(`${dayEnd}T00:00:00Z`) + 86_399_999);
  const sent = sorted.slice(
    firstSentAtOrBefore(sorted, newest),
    dayStart === undefined ? sorted.length : firstSentAtOrBefore(sorted, Date.parse(`${dayStart}T00:00:00Z`) - 1),
  );
  const to = filters.get('To');
  const from = filters.get('From');
  const all = to === null && from === null && status === null
    ? sent
    : sent.filter((m) => (to === null || m.to === to) && (from === null || m.from === from) && (status === null || context.faults.visibleStatus(m) === status));
  const size = pageSize(q.get('PageSize'), 50);
  const page = Math.max(0, Number(q.get('Page') ?? 0) || 0);
  const token = q.get('PageToken');
  const cursor = token === null ? undefined : readPageToken(token);
  if (token !== null && cursor === undefined) return errors.error({ status: 400, code: 20001, message: 'Invalid PageToken' });
  const cut: CursorPage = cursorPage(all, size, cursor ?? { offset: page * size });
  const base = `${where.root}/Accounts/${where.account}/Messages${where.json}`;
  const first = cut.items[0];
  const last = cut.items[cut.items.length - 1];
  return {
    status: 200,
    body: {
      messages: cut.items.map((m) => messageResource(dialect, where, m, context)),
      ...pageMeta({
        base,
        filters,
        size,
        page,
        start: cut.start,
        count: cut.items.length,
        ...(cut.hasNext && last ? { next: `Page=${page + 1}&PageToken=${pageToken('after', last)}` } : {}),
        ...(cut.hasPrevious && first && page > 0 ? { previous: `Page=${page - 1}&PageToken=${pageToken('before', first)}` } : {}),
        request,
      }),
    },
  };
}

/** One page's place in a list, and the query tails of its neighbours' links (`Page=…[&PageToken=…]`). */
interface PagePlace {
  readonly base: string;
  /** Filters every link keeps. */
  readonly filters: URLSearchParams;
  readonly size: number;
  readonly page: number;
  readonly start: number;
  readonly count: number;
  readonly next?: string;
  readonly previous?: string;
  readonly request: ApiRequest;
}

/** Twilio's paging fields; every link is relative to the API origin, as Twilio returns them. */
function pageMeta({ base, filters, size, page, start, count, next, previous, request }: PagePlace) {
  const kept = filters.toString();
  const link = (rest: string) => `${base}?${kept === '' ? '' : `${kept}&`}PageSize=${size}&${rest}`;
  const query = request.query.toString();
  return {
    uri: `${base}${query === '' ? '' : `?${query}`}`,
    first_page_uri: link('Page=0'),
    next_page_uri: next === undefined ? null : link(next),
    previous_page_uri: previous === undefined ? null : link(previous),
    page,
    page_size: size,
    start,
    end: count === 0 ? start : start + count - 1,
  };
}

/** The subaccount the path names, or undefined for the main account's own resources. */
function subaccountOf(dialect: TwilioStyleDialect, where: Where, context: ApiContext): string | undefined {
  return where.account === dialect.account(context.credentials).id ? undefined : where.account;
}

/** The Message resource with the fields of Twilio's API (twilio-node's MessageInstance reads them). */
function messageResource(dialect: TwilioStyleDialect, where: Where, message: SandboxMessage, context: ApiContext): Record<string, unknown> {
  const account = message.account ?? dialect.account(context.credentials).id;
  const uri = `${where.root}/Accounts/${account}/Messages/${message.id}`;
  const status = context.faults.visibleStatus(message);
  const count = (n: number) => (dialect.numericCounts ? n : String(n));
  const priced = FINAL.has(status) && message.direction === 'outbound';
  return {
    account_sid: account,
    api_version: '2010-04-01',
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated),
    direction: message.direction === 'inbound' ? 'inbound' : 'outbound-api',
    error_code: message.errorCode === undefined ? null : dialect.numericCounts ? String(message.errorCode) : message.errorCode,
    error_message: message.errorCode === undefined ? null : 'Unreachable destination handset',
    from: message.from ?? '',
    messaging_service_sid: null,
    num_media: count(message.media.length),
    num_segments: count(message.segments ?? 1),
    price: priced ? (dialect.numericCounts ? Number(MESSAGE_DEFAULTS.price) : MESSAGE_DEFAULTS.price) : null,
    price_unit: MESSAGE_DEFAULTS.priceUnit,
    sid: message.id,
    status,
    subresource_uris: { media: `${uri}/Media${where.json}`, feedback: `${uri}/Feedback${where.json}` },
    to: message.to ?? '',
    uri: `${uri}${where.json}`,
  };
}

/** The Media resource (twilio-node's MediaInstance fields). */
function mediaResource(dialect: TwilioStyleDialect, where: Where, message: SandboxMessage, sid: string, context: ApiContext): Record<string, unknown> {
  const account = message.account ?? dialect.account(context.credentials).id;
  return {
    account_sid: account,
    content_type: MESSAGE_DEFAULTS.contentType,
    date_created: rfc2822(message.dateCreated),
    date_updated: rfc2822(message.dateCreated),
    parent_sid: message.id,
    sid,
    uri: `${where.root}/Accounts/${account}/Messages/${message.id}/Media/${sid}${where.json}`,
  };
}

/** Twilio's error body `{ code, message, more_info, status }` for every shared failure. */
function twilioStyleErrors(dialect: TwilioStyleDialect): TwilioStyleErrors {
  const error = (e: TwilioError, headers?: Record<string, string>): Answer => ({
    status: e.status,
    body: { code: e.code, message: e.message, more_info: dialect.moreInfo(e.code), status: e.status },
    ...(headers ? { headers } : {}),
  });
  return {
    error: (e) => error(e),
    unauthorized: () => error({ status: 401, code: 20003, message: 'Authenticate' }, { 'www-authenticate': 'Basic realm="API"' }),
    notFound: (path) => error({ status: 404, code: 20404, message: `The requested resource ${path} was not found` }),
    throttled: (retryAfterSeconds) =>
      error({ status: 429, code: 20429, message: 'Too Many Requests' }, retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) }),
    serverError: (status) => error({ status, code: 20500, message: 'Internal Server Error' }),
  };
}

/** First index of a newest-first list whose message was sent at or before `at` (ms). */
function firstSentAtOrBefore(sorted: readonly SandboxMessage[], at: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid]!.dateSent ?? sorted[mid]!.dateCreated ?? 0) <= at) high = mid;
    else low = mid + 1;
  }
  return low;
}
