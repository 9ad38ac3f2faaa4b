import { HttpTransportError } from '../core/runtime/errors';
import type { HttpClient } from '../core/runtime/http-client';
import { parseJsonObject } from './http-helpers';

/** A subaccount as Twilio's Accounts list shows it (never its auth token). */
export interface TwilioSubaccountSummary {
  readonly sid: string;
  /** `active`, `suspended` or `closed`. */
  readonly status: string;
}

/** The subaccounts, or why the list could not be read (`http-401`, `timeout`, `unparseable-response`, …). */
export type TwilioSubaccountList =
  | { readonly ok: true; readonly subaccounts: readonly TwilioSubaccountSummary[] }
  | { readonly ok: false; readonly code: string };

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
/** A bound on the pages followed: 1,000 a page, so a million subaccounts. */
const MAX_PAGES = 1_000;

/**
 * Lists a parent's subaccounts with its credentials: `GET /2010-04-01/Accounts.json` (up to 1,000 a
 * page, following `next_page_uri`), which lists the account making the request and its subaccounts
 * (https://www.twilio.com/docs/iam/api/account#read-multiple-account-resources). The parent itself,
 * and any account another owns, are left out. The `auth_token` of each entry is never kept.
 */
export async function listTwilioSubaccounts(request: {
  readonly http: HttpClient;
  readonly origin: string;
  readonly authorization: string;
  readonly parentSid: string;
}): Promise<TwilioSubaccountList> {
  const subaccounts: TwilioSubaccountSummary[] = [];
  let path: string | undefined = '/2010-04-01/Accounts.json?PageSize=1000';
  for (let page = 0; path !== undefined && page < MAX_PAGES; page++) {
    let answer;
    try {
      answer = await request.http.request({ method: 'GET', url: `${request.origin}${path}`, headers: { authorization: request.authorization, accept: 'application/json' } });
    } catch (error) {
      if (error instanceof HttpTransportError) return { ok: false, code: error.code };
      throw error;
    }
    if (answer.status !== 200) return { ok: false, code: `http-${answer.status}` };
    const body = parseJsonObject(answer.body);
    if (body === undefined || !Array.isArray(body.accounts)) return { ok: false, code: 'unparseable-response' };
    for (const entry of body.accounts as unknown[]) {
      if (typeof entry !== 'object' || entry === null) return { ok: false, code: 'unparseable-response' };
      const { sid, status, owner_account_sid: owner } = entry as Record<string, unknown>;
      if (typeof sid !== 'string' || !ACCOUNT_SID.test(sid) || typeof status !== 'string') return { ok: false, code: 'unparseable-response' };
      if (sid.toUpperCase() === request.parentSid.toUpperCase()) continue;
      if (typeof owner !== 'string' || owner.toUpperCase() !== request.parentSid.toUpperCase()) continue;
      subaccounts.push({ sid, status });
    }
    const next = body.next_page_uri;
    if (typeof next !== 'string' || next === '') return { ok: true, subaccounts };
    // Links are relative to the API origin; an absolute one must stay on it, and a list cut short is no list.
    path = next.startsWith('/') ? next : sameOriginPath(next, request.origin);
    if (path === undefined) return { ok: false, code: 'foreign-next-page' };
  }
  return { ok: false, code: 'too-many-pages' };
}

function sameOriginPath(link: string, origin: string): string | undefined {
  try {
    const url = new URL(link);
    return url.origin === new URL(origin).origin ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}
