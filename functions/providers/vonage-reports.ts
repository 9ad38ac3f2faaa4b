import type { ListedMessage } from '../core/reconciliation/listed-message';
import type { ProviderName } from '../core/provider-rules/provider-name';
import { basicAuth, isSuccessStatus, parseJsonObject, sendOrClassify } from './http-helpers';
import { UNREADABLE_PAGE, holdsBody, inWindow, listFailure, nextPageUrl, parseProviderDate } from './list-helpers';
import type { FetchMessageResult, ListContext, ListPageQuery, ListPageResult, ListingProvider, MessageLister } from './provider';
import { classifyVonageRedactAnswer } from './vonage-redact';
import { VONAGE_API_BASE_URL, parseVonageSecret, type VonageCredentials } from './vonage-secret';

export const VONAGE_REPORTS_PATH = '/v2/reports/records';

/** What Vonage writes over a redacted field, the message content among them. */
export const VONAGE_REDACTED = 'REDACTED';

/** The Reports API limits a synchronous date-range query to 24 hours: longer windows are read a day at a time. */
export const VONAGE_SYNC_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The Reports API's `product` for each Vonage API. */
export type VonageReportsProduct = 'SMS' | 'MESSAGES';

/**
 * The listing side: `GET /v2/reports/records` (synchronous), by `date_start`/`date_end` over at most
 * 24 hours (and by `id` to read one record again), `include_message=true` so each record's `message_body` can be tested for emptiness in
 * memory (and dropped here). Next pages follow the answer's HAL `_links.next.href`; once a day's slice
 * is read, the cursor moves on to the next slice until the window's end.
 */
export function vonageListing<Name extends ProviderName>(
  provider: Name,
  product: VonageReportsProduct,
  isMessageId: (id: string) => boolean,
): ListingProvider<Name> {
  return {
    provider,
    bindLister(secret, secretId): MessageLister {
      const credentials = parseVonageSecret(secret, secretId);
      return {
        listPage: (query, context) => listRecordsPage(query, context, credentials, product, isMessageId),
        fetchMessage: (id, context) => fetchRecord(id, context, credentials, product, isMessageId),
      };
    },
  };
}

/** The first page of the slice [start, min(to, start + 24 h)). */
function sliceUrl(base: string, credentials: VonageCredentials, product: VonageReportsProduct, start: Date, to: Date): string {
  const end = new Date(Math.min(to.getTime(), start.getTime() + VONAGE_SYNC_WINDOW_MS));
  const params = new URLSearchParams({
    account_id: credentials.apiKey,
    product,
    direction: 'outbound',
    date_start: start.toISOString(),
    date_end: end.toISOString(),
    include_message: 'true',
  });
  return `${base}${VONAGE_REPORTS_PATH}?${params.toString()}`;
}

async function listRecordsPage(
  query: ListPageQuery,
  context: ListContext,
  credentials: VonageCredentials,
  product: VonageReportsProduct,
  isMessageId: (id: string) => boolean,
): Promise<ListPageResult> {
  const base = context.apiBaseUrl ?? VONAGE_API_BASE_URL;
  const url = query.cursor === undefined ? sliceUrl(base, credentials, product, query.from, query.to) : nextPageUrl(base, query.cursor, VONAGE_REPORTS_PATH);
  if (url === undefined) return { ok: false, outcome: { kind: 'rejected', code: 'foreign-cursor', reason: 'next page reference leaves the Reports API records' } };
  const answer = await sendOrClassify(context.http, {
    method: 'GET',
    url,
    headers: { authorization: basicAuth(credentials.apiKey, credentials.apiSecret), accept: 'application/json' },
  });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) return listFailure(classifyVonageRedactAnswer(answer, context.now()));
  const page = parseJsonObject(answer.body);
  if (page === undefined || !Array.isArray(page.records)) return UNREADABLE_PAGE;
  // A synchronous answer is SUCCESS; anything else (PENDING, FAILED, …) is not a complete page.
  const requestStatus = typeof page.request_status === 'string' ? page.request_status.toUpperCase() : 'SUCCESS';
  if (requestStatus !== 'SUCCESS' && requestStatus !== 'TRUNCATED') {
    return { ok: false, outcome: { kind: 'transient', code: `reports-${/^[A-Z_]{1,20}$/.test(requestStatus) ? requestStatus.toLowerCase() : 'status'}` } };
  }
  const messages: ListedMessage[] = [];
  for (const raw of page.records as unknown[]) {
    const message = listedMessage(raw, isMessageId);
    if (message === undefined) return UNREADABLE_PAGE;
    if (inWindow(message.createdAt, query.from, query.to)) messages.push(message);
  }
  const nextCursor = nextLink(page) ?? nextSlice(url, base, credentials, product, query.to);
  return { ok: true, messages, ...(nextCursor === undefined ? {} : { nextCursor }) };
}

/** A Reports API record as a listed message (its body tested and dropped); undefined when unreadable. */
function listedMessage(raw: unknown, isMessageId: (id: string) => boolean): ListedMessage | undefined {
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
  const createdAt = parseProviderDate(record?.date_received);
  const id = record?.message_id;
  if (record === undefined || typeof id !== 'string' || !isMessageId(id) || typeof record.status !== 'string' || createdAt === undefined) return undefined;
  const updatedAt = parseProviderDate(record.date_finalized);
  return {
    id,
    status: record.status.toLowerCase(),
    createdAt,
    ...(updatedAt === undefined ? {} : { updatedAt }),
    // Without `message_body` the record says nothing about the body (include_message not honoured).
    // A redacted record's content reads "REDACTED" (Vonage, "Redact your data": "the real PII content
    // in the redacted fields is overwritten with the string REDACTED").
    hasBody: 'message_body' in record ? holdsBody(record.message_body) && record.message_body !== VONAGE_REDACTED : 'unknown',
    mediaCount: record.channel === 'mms' ? 1 : 0,
    inbound: record.direction === 'inbound',
  };
}

/**
 * One record by id: the synchronous Reports API's `id` query ("Get records by UUID"; only the
 * synchronous version reads by id). An id the answer does not hold is no such message.
 */
async function fetchRecord(
  id: string,
  context: ListContext,
  credentials: VonageCredentials,
  product: VonageReportsProduct,
  isMessageId: (id: string) => boolean,
): Promise<FetchMessageResult> {
  if (!isMessageId(id)) return { ok: false, outcome: { kind: 'rejected', code: 'invalid-message-id', reason: 'message id is not in the Vonage API\'s id format' } };
  const params = new URLSearchParams({ account_id: credentials.apiKey, product, direction: 'outbound', id, include_message: 'true' });
  const answer = await sendOrClassify(context.http, {
    method: 'GET',
    url: `${context.apiBaseUrl ?? VONAGE_API_BASE_URL}${VONAGE_REPORTS_PATH}?${params.toString()}`,
    headers: { authorization: basicAuth(credentials.apiKey, credentials.apiSecret), accept: 'application/json' },
  });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) return listFailure(classifyVonageRedactAnswer(answer, context.now()));
  const page = parseJsonObject(answer.body);
  if (page === undefined || !Array.isArray(page.records)) return UNREADABLE_PAGE;
  const raw = (page.records as unknown[]).find((record) => (record as { message_id?: unknown } | null)?.message_id === id);
  if (raw === undefined) return { ok: true };
  const message = listedMessage(raw, isMessageId);
  return message === undefined ? UNREADABLE_PAGE : { ok: true, message };
}

/** HAL `_links.next.href`, when the answer has more pages for this slice. */
function nextLink(page: Record<string, unknown>): string | undefined {
  const links = page._links as { next?: { href?: unknown } } | undefined;
  const href = links?.next?.href;
  return typeof href === 'string' && href !== '' ? href : undefined;
}

/** The next day's slice, when this page's slice ends before the window does. */
function nextSlice(url: string, base: string, credentials: VonageCredentials, product: VonageReportsProduct, to: Date): string | undefined {
  const end = parseProviderDate(new URL(url).searchParams.get('date_end') ?? undefined);
  if (end === undefined || end.getTime() >= to.getTime()) return undefined;
  return sliceUrl(base, credentials, product, end, to).slice(base.length);
}
