import type { HttpResponse } from '../core/runtime/http-client';
import type { ListedMessage } from '../core/reconciliation/listed-message';
import type { Outcome } from '../core/redaction/outcome';
import { isSuccessStatus, parseJsonObject, sendOrClassify } from './http-helpers';
import { UNREADABLE_PAGE, holdsBody, inWindow, listFailure, nextPageUrl, parseProviderDate, serverTimeOf, utcDay } from './list-helpers';
import type { FetchMessageResult, ListContext, ListPageQuery, ListPageResult } from './provider';

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
  let pastWindowStart = false;
  for (const raw of page.messages as unknown[]) {
    const message = toListedMessage(raw, api);
    if (message === undefined) return UNREADABLE_PAGE;
    const listDate = message.sentAt ?? message.createdAt;
    if (listDate.getTime() < query.from.getTime()) pastWindowStart = true;
    if (inWindow(listDate, query.from, query.to)) messages.push(message);
  }
  // The list is newest first: once a page reaches before the window, the rest of the day is older still.
  const next = typeof page.next_page_uri === 'string' && page.next_page_uri !== '' && !pastWindowStart ? page.next_page_uri : undefined;
  return { ok: true, messages, scanned: page.messages.length, ...serverTimeOf(answer.headers), ...(next === undefined ? {} : { nextCursor: next }) };
}

/** `GET …/Messages/{Sid}.json`: one message, in the list's shape. */
export async function fetchTwilioStyleMessage(api: TwilioStyleList, id: string, context: ListContext): Promise<FetchMessageResult> {
  if (!api.isMessageId(id)) return { ok: false, outcome: { kind: 'rejected', code: 'invalid-message-id', reason: 'not a message id of this provider' } };
  const resource = api.path.endsWith('.json') ? api.path.slice(0, -'.json'.length) : api.path;
  const suffix = api.path.endsWith('.json') ? '.json' : '';
  const answer = await sendOrClassify(context.http, { method: 'GET', url: `${api.origin}${resource}/${id}${suffix}`, headers: { authorization: api.authorization, accept: 'application/json' } });
  if ('kind' in answer) return { ok: false, outcome: answer };
  if (!isSuccessStatus(answer.status)) {
    const outcome = api.classifyError(answer, context.now());
    if (outcome.kind === 'not-found') return { ok: true };
    return listFailure(outcome);
  }
  const message = toListedMessage(parseJsonObject(answer.body), api);
  return message === undefined ? UNREADABLE_PAGE : { ok: true, message };
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
