import type { Outcome } from '../core/redaction/outcome';
import type { HttpClient, HttpResponse } from '../core/runtime/http-client';
import { MEDIA_DELETION_LIMITS } from '../core/provider-rules/provider-capabilities';
import { isSuccessStatus, parseJsonObject, sendOrClassify } from './http-helpers';

/** How one Twilio-style API lists and deletes a message's media. */
export interface MediaApi {
  readonly http: HttpClient;
  readonly headers: Readonly<Record<string, string>>;
  /** First page of the message's media list. */
  readonly firstPageUrl: string;
  /** Origin that the relative `next_page_uri` is resolved against. */
  readonly origin: string;
  readonly mediaUrl: (mediaSid: string) => string;
  readonly isMediaSid: (value: string) => boolean;
  readonly classifyError: (response: HttpResponse) => Outcome;
}

/**
 * Deletes every media item of a message through a Twilio-style Media sub-resource (`media_list`,
 * `next_page_uri`), shared by Twilio and SignalWire's compatibility API. `redacted` once the list is
 * empty or gone; otherwise the first failure's outcome, so the job is retried. At most
 * MEDIA_DELETION_LIMITS pages and items per attempt (the job's time budget): past them the attempt is
 * `transient` and the next one carries on with what is left.
 */
export async function deleteListedMedia(api: MediaApi): Promise<Outcome> {
  let next: string | undefined = api.firstPageUrl;
  let pages = 0;
  let items = 0;
  while (next !== undefined) {
    if (pages >= MEDIA_DELETION_LIMITS.maxPages) return { kind: 'transient', code: 'media-page-limit' };
    pages += 1;
    const page = await sendOrClassify(api.http, { method: 'GET', url: next, headers: api.headers });
    if ('kind' in page) return page;
    if (page.status === 404) return { kind: 'redacted' };
    if (!isSuccessStatus(page.status)) return api.classifyError(page);
    const list = parseJsonObject(page.body) as { media_list?: Array<{ sid?: unknown }>; next_page_uri?: unknown } | undefined;
    if (list === undefined) return { kind: 'transient', code: 'unparseable-response' };
    for (const item of list.media_list ?? []) {
      if (typeof item.sid !== 'string' || !api.isMediaSid(item.sid)) continue;
      if (items >= MEDIA_DELETION_LIMITS.maxItems) return { kind: 'transient', code: 'media-item-limit' };
      items += 1;
      const deleted = await sendOrClassify(api.http, { method: 'DELETE', url: api.mediaUrl(item.sid), headers: api.headers });
      if ('kind' in deleted) return deleted;
      if (!isSuccessStatus(deleted.status) && deleted.status !== 404) return api.classifyError(deleted);
    }
    next = typeof list.next_page_uri === 'string' && list.next_page_uri.startsWith('/') ? `${api.origin}${list.next_page_uri}` : undefined;
  }
  return { kind: 'redacted' };
}
