import type { HttpResponse } from '../core/http-client';
import type { ListedMessage } from '../core/listed-message';
import type { Outcome } from '../core/outcome';
import { isSuccessStatus, parseJsonObject, sendOrClassify } from './http-helpers';
import { UNREADABLE_PAGE, holdsBody, inWindow, listFailure, nextPageUrl, parseProviderDate, utcDay } from './list-helpers';
import type { ListContext, ListPageQuery, ListPageResult } from './provider';

/** The message list API shared by Twilio and SignalWire's compatibility API (same resource and paging). */
export interface TwilioStyleList {
  /** API origin, e.g. `https://api.twilio.com`. */
  readonly origin: string;
  /** Path of the Messages list resource, e.g. `/2010-04-01/Accounts/AC…/Messages.json`. */
  readonly path: string;
  readonly authorization: string;
  /** The largest PageSize the provider takes. */
  readonly maxPageSize: number;
  readonly isMessageId: (value: string) => boolean;
  readonly classifyError: (response: HttpResponse, now: Date) => Outcome;
}

/**
 * One page of `GET …/Messages.json`. The date filter (`DateSent>` / `DateSent<`, both inclusive) is
 * day-granular, so the exact window is applied here; paging follows `next_page_uri`, which carries
 * the provider's PageToken.
 */
export async function listTwilioStylePage(api: TwilioStyleList, query: ListPageQuery, context: ListContext): Promise<ListPageResult> {
  let url: string | undefined;
  if (query.cursor === undefined) {
    const params = new URLSearchParams({
      'DateSent>': utcDay(query.from),
      'DateSent<': utcDay(query.to),
      PageSize: String(Math.min(Math.max(query.pageSize, 1), api.maxPageSize)),
    });
    url = `${api.origin}${api.path}?${params.toString()}`;
  } else {
    // SignalWire's docs omit `.json` on the list path and its Twilio-derived client adds it: both stay on the resource.
    url = nextPageUrl(api.origin, query.cursor, [api.path, `${api.path}.json`]);
    if (url === undefined) return { ok: false, outcome: { kind: 'rejected', code: 'foreign-cursor', reason: 'next page reference leaves the list resource' } };
  }
  const answer = await sendOrClassify(context.http, { method: 'GET', url, headers: { authorization: api.authorization, accept: 'application/json' } });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) return listFailure(api.classifyError(answer, context.now()));
  const page = parseJsonObject(answer.body);
  if (page === undefined || !Array.isArray(page.messages)) return UNREADABLE_PAGE;
  const messages: ListedMessage[] = [];
  for (const raw of page.messages as unknown[]) {
    const message = toListedMessage(raw, api);
    if (message === undefined) return UNREADABLE_PAGE;
    if (inWindow(message.sentAt ?? message.createdAt, query.from, query.to)) messages.push(message);
  }
  const next = typeof page.next_page_uri === 'string' && page.next_page_uri !== '' ? page.next_page_uri : undefined;
  return { ok: true, messages, ...(next === undefined ? {} : { nextCursor: next }) };
}

function toListedMessage(raw: unknown, api: TwilioStyleList): ListedMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const entry = raw as Record<string, unknown>;
  const createdAt = parseProviderDate(entry.date_created);
  if (typeof entry.sid !== 'string' || !api.isMessageId(entry.sid) || typeof entry.status !== 'string' || createdAt === undefined) {
    return undefined;
  }
  const sentAt = parseProviderDate(entry.date_sent);
  const updatedAt = parseProviderDate(entry.date_updated);
  return {
    id: entry.sid,
    status: entry.status,
    createdAt,
    ...(sentAt === undefined ? {} : { sentAt }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
    hasBody: holdsBody(entry.body),
    mediaCount: Number(entry.num_media ?? 0) || 0,
    inbound: entry.direction === 'inbound',
  };
}
