import type { Outcome } from '../core/redaction/outcome';
import type { ListPageResult } from './provider';

/** `YYYY-MM-DD` of an instant in UTC: the granularity of the providers' date filters. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A provider date (RFC 2822 from the Twilio-style APIs, ISO-8601 elsewhere) as a Date; undefined when
 * absent or unreadable, so a strange value never becomes "now" or the epoch.
 */
export function parseProviderDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Whether an instant falls in [from, to). */
export function inWindow(date: Date, from: Date, to: Date): boolean {
  return date.getTime() >= from.getTime() && date.getTime() < to.getTime();
}

/** A non-empty body, tested in memory: the text itself is never kept. */
export function holdsBody(body: unknown): boolean {
  return typeof body === 'string' && body !== '';
}

/**
 * The next page's URL from the provider's next-page reference (relative to the API base, as Twilio's
 * `next_page_uri`, or absolute, as SignalWire's `links.next`). Refused unless it stays on the list
 * resource of the same API base: a cursor is replayed from a queue, so it must not be able to point
 * the sweep (and its credentials) anywhere else.
 */
export function nextPageUrl(base: string, cursor: string, expectedPath: string | readonly string[]): string | undefined {
  const relative = cursor.startsWith(base) ? cursor.slice(base.length) : cursor;
  if (!relative.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(relative, 'http://cursor.invalid');
  } catch {
    return undefined;
  }
  const paths: readonly string[] = typeof expectedPath === 'string' ? [expectedPath] : expectedPath;
  return url.origin === 'http://cursor.invalid' && paths.includes(url.pathname) ? `${base}${url.pathname}${url.search}` : undefined;
}

/** A page answer that is not a readable JSON page: retried, never taken as an empty list. */
export const UNREADABLE_PAGE: Extract<ListPageResult, { ok: false }> = { ok: false, outcome: { kind: 'transient', code: 'unparseable-list-page' } };


/** A refused list request as a failed page; an answer that looks like success is unreadable, never success. */
export function listFailure(outcome: Outcome): Extract<ListPageResult, { ok: false }> {
  return outcome.kind === 'redacted' || outcome.kind === 'already-redacted' || outcome.kind === 'cannot-redact'
    ? (UNREADABLE_PAGE as Extract<ListPageResult, { ok: false }>)
    : { ok: false, outcome };
}

/** The provider's clock from an answer's `Date` header, when it has a readable one. */
export function serverTimeOf(headers: Readonly<Record<string, string | undefined>>): { serverTime?: Date } {
  const time = headers.date === undefined ? Number.NaN : Date.parse(headers.date);
  return Number.isNaN(time) ? {} : { serverTime: new Date(time) };
}
