import * as z from 'zod/mini';
import { ConfigError } from '../runtime/errors';
import { PROVIDER_CAPABILITIES } from '../provider-rules/provider-capabilities';
import { PROVIDER_NAMES, type ProviderName } from '../provider-rules/provider-name';
import { DEFAULT_MAX_CONCURRENT_REQUESTS, MAX_CONCURRENT_REQUESTS_LIMIT } from '../redaction/request-share';
import { KNOWN_STATUSES, terminalStatusesFor } from '../provider-rules/terminal-rules';
import { describeIssues } from './zod-issues';

/**
 * A job for a message stuck at `sent` waits at most a week: the redactor re-delays it 12 hours at a
 * time, and it must stay far inside the queue's 14-day retention and the 13-day retry age.
 */
export const MAX_SENT_AGE_SECONDS = 7 * 24 * 60 * 60;

/**
 * Longest retention an account can ask for: Twilio shows about 13 months (400 days) of messages
 * through its API, so a later redaction could no longer find the message. Up to 12 hours a queued
 * job carries the wait; beyond that the reconciliation sweep redacts the message when it is due.
 */
export const MAX_REDACT_AFTER_SECONDS = 400 * 24 * 60 * 60;

const httpUrl = (key: string) =>
  z.string().check(
    z.refine((value) => {
      try {
        const url = new URL(value);
        // No query or fragment: the raw query as sent is appended to it when signatures are checked.
        if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return false;
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
      } catch {
        return false;
      }
    }, `${key} must be an absolute https:// URL without query or fragment (http:// only for 127.0.0.1/localhost)`),
  );

/** Opaque path segment of the callback URL (`/callbacks/{route}`); selects an account. */
const routeSchema = z.string().check(
  z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'route must be 1-128 characters of A-Z a-z 0-9 _ -'),
);

/** A Twilio Account SID (main account or subaccount). */
export const TWILIO_ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * The most subaccounts one parent entry may list. Twilio allows 1,000 per main account by default and
 * more on request (https://www.twilio.com/docs/iam/api/subaccounts); the stack's resources do not grow
 * with them, the accounts file does (about 50-75 bytes each).
 */
export const MAX_SUBACCOUNTS_PER_PARENT = 100_000;

/** One configured provider account, as written in the accounts config file. */
export const AccountConfigSchema = z.strictObject({
  /** Opaque path segment of the callback URL (`/callbacks/{route}`); selects this account. */
  route: routeSchema,
  provider: z.enum(PROVIDER_NAMES),
  /** Secrets Manager secret name or ARN holding this account's credentials (JSON, shape per provider). */
  secretId: z.string().check(z.minLength(1, 'secretId must not be empty'), z.maxLength(2048)),
  /**
   * A second secret holding only the keys that verify callbacks (shape per provider). When set, the
   * internet-facing receiver reads only this one and never holds the API credentials in `secretId`.
   */
  signingSecretId: z.optional(z.string().check(z.minLength(1, 'signingSecretId must not be empty'), z.maxLength(2048))),
  /** Replaces the provider's default terminal statuses for this account. */
  terminalStatuses: z.optional(z.array(z.string()).check(z.minLength(1, 'terminalStatuses must not be empty'))),
  /**
   * How long the body is kept after the terminal status, in seconds (up to 400 days). Up to 12 hours
   * the callback's queued job waits; longer retention is served by the reconciliation sweep. Default 0,
   * and 3600 for Vonage, whose Redact API refuses a record in its first hour.
   */
  redactAfterSeconds: z.optional(
    z.number().check(z.int(), z.minimum(0), z.maximum(MAX_REDACT_AFTER_SECONDS)),
  ),
  /**
   * Redact a message that is still at `sent` this many seconds after its `sent` callback. Carriers do
   * not always return a delivery receipt, so such a message would otherwise keep its body for good.
   * Off by default.
   */
  sentAgeSeconds: z.optional(z.number().check(z.int(), z.minimum(3_600), z.maximum(MAX_SENT_AGE_SECONDS))),
  /** Also delete MMS media at the provider (Twilio and SignalWire compatibility only). */
  deleteMedia: z.optional(z.boolean()),
  /**
   * The exact callback URL configured at the provider, without query string. Signatures are checked
   * against it; needed behind custom domains and proxies. Default: the URL API Gateway received.
   */
  publicUrl: z.optional(httpUrl('publicUrl')),
  /**
   * Overrides the provider's API base URL (local sandbox, contract tests): the origin, plus the
   * provider's base path where it has one (CarrierX: `…/core/v2`).
   */
  apiBaseUrl: z.optional(httpUrl('apiBaseUrl')),
  /**
   * CarrierX only: also send `message: ""` in the update. CarrierX documents only `user_data` as
   * updatable; the body is checked by reading the message back either way.
   */
  attemptBodyUpdate: z.optional(z.boolean()),
  /**
   * Most provider API requests the redactor has in flight for this account at once, over all its
   * concurrent invocations (each gets floor(this / maxConcurrency)). Routes with the same `secretId`
   * are one provider account and share one limit. Default per provider: twilio 50,
   * signalwire-compat/-rest 20, carrierx 10, vonage-sms/-messages 20.
   */
  maxConcurrentRequests: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(MAX_CONCURRENT_REQUESTS_LIMIT))),
});

/** One subaccount of a {@link TwilioParentConfigSchema} entry. */
export const TwilioSubaccountConfigSchema = z.strictObject({
  /** The subaccount's Account SID; its messages are redacted and listed with the parent's credentials. */
  accountSid: z.string().check(z.regex(TWILIO_ACCOUNT_SID, 'accountSid must be AC followed by 32 hex digits')),
  /** Its callback route. Default: the Account SID itself (`/callbacks/AC…`). */
  route: z.optional(routeSchema),
});

/**
 * A Twilio main account and its subaccounts, served with the main account's credentials in one secret:
 * each subaccount gets its own route, coverage and request limit, its messages are acted on through
 * `/2010-04-01/Accounts/{SubaccountSid}/…` with the parent's AccountSid and AuthToken, and its callbacks
 * are verified with its own auth token, fetched with them (docs/many-accounts.md). The options apply to
 * every subaccount (and to the parent's own route, when it has one).
 */
export const TwilioParentConfigSchema = z.strictObject({
  provider: z.literal('twilio'),
  /** The parent (main) account's secret: `accountSid` and `authToken` (a Main API key cannot sign callbacks). */
  secretId: AccountConfigSchema.shape.secretId,
  /** A route for the parent account's own messages, when it sends any. */
  route: z.optional(routeSchema),
  subaccounts: z.array(TwilioSubaccountConfigSchema).check(
    z.minLength(1, 'subaccounts must not be empty'),
    z.maxLength(MAX_SUBACCOUNTS_PER_PARENT, `subaccounts: at most ${MAX_SUBACCOUNTS_PER_PARENT} per parent`),
  ),
  terminalStatuses: AccountConfigSchema.shape.terminalStatuses,
  redactAfterSeconds: AccountConfigSchema.shape.redactAfterSeconds,
  sentAgeSeconds: AccountConfigSchema.shape.sentAgeSeconds,
  deleteMedia: AccountConfigSchema.shape.deleteMedia,
  apiBaseUrl: AccountConfigSchema.shape.apiBaseUrl,
  /**
   * The callback URL each route is appended to, ending in `/` (`https://hooks.example.com/callbacks/`):
   * every subaccount's `publicUrl` is this plus its route. Needed behind custom domains and proxies.
   */
  publicUrlBase: z.optional(httpUrl('publicUrlBase').check(z.refine((value) => value.endsWith('/'), 'publicUrlBase must end with /'))),
  /**
   * Concurrent provider requests over all redactor invocations, for each subaccount and, together, for
   * every request made with the parent's credentials. Default: twilio's 50.
   */
  maxConcurrentRequests: AccountConfigSchema.shape.maxConcurrentRequests,
});

/** An account entry as written: {@link AccountConfigSchema}. */
export type AccountConfigInput = z.input<typeof AccountConfigSchema>;
/** A parent entry as written: {@link TwilioParentConfigSchema}. */
export type TwilioParentConfigInput = z.input<typeof TwilioParentConfigSchema>;
/** One entry of the accounts config: an account, or a Twilio parent with its subaccounts. */
export type AccountsEntryInput = AccountConfigInput | TwilioParentConfigInput;

/** A validated account, with its terminal set resolved. */
export interface Account {
  readonly route: string;
  readonly provider: ProviderName;
  readonly secretId: string;
  /** Secret the receiver verifies callbacks with, instead of `secretId`. */
  readonly signingSecretId?: string;
  readonly terminalStatuses: ReadonlySet<string>;
  readonly redactAfterSeconds: number;
  /** 0 when off. */
  readonly sentAgeSeconds: number;
  readonly deleteMedia: boolean;
  readonly publicUrl?: string;
  readonly apiBaseUrl?: string;
  readonly attemptBodyUpdate: boolean;
  /** Concurrent provider requests for this account over all redactor invocations. */
  readonly maxConcurrentRequests: number;
  /**
   * A Twilio subaccount served with its parent's credentials (`secretId` is the parent's secret): the
   * Account SID whose messages this route covers and whose auth token verifies its callbacks.
   */
  readonly subaccountSid?: string;
  /**
   * Where its entry is in the accounts config (`accounts[3]`), for messages that name a key: a
   * parent's subaccounts share their parent's, which holds their options. Set by parseAccounts.
   */
  readonly entryPath?: string;
}

/** Whether an entry as written is a Twilio parent with subaccounts (else an account). */
export function isTwilioParentEntry(entry: AccountsEntryInput): entry is TwilioParentConfigInput {
  return 'subaccounts' in entry;
}

/** A validated entry, with a parent's subaccounts laid out as accounts of their own. */
interface ParsedEntry {
  /** Where the entry's own keys are reported (`accounts[3]`). */
  readonly at: string;
  readonly account: z.output<typeof AccountConfigSchema>;
  /** Where its route is reported: the entry's, or the subaccount's (`accounts[3].subaccounts[17]`). */
  readonly routeAt: string;
  readonly subaccountSid?: string;
}

/**
 * Reads the entries: an object with `subaccounts` is a Twilio parent (its own schema, so a key that
 * does not belong on it is named as unknown), anything else an account. Issues are collected over all
 * entries; the first five are reported.
 */
function parseEntries(input: unknown): ParsedEntry[] {
  if (!Array.isArray(input)) throw new ConfigError('invalid accounts config: accounts: expected array');
  if (input.length === 0) throw new ConfigError('invalid accounts config: accounts: at least one account is required');
  const issues: string[] = [];
  const entries: ParsedEntry[] = [];
  input.forEach((entry: unknown, index) => {
    const at = `accounts[${index}]`;
    if (typeof entry === 'object' && entry !== null && 'subaccounts' in entry) {
      const parsed = TwilioParentConfigSchema.safeParse(entry);
      if (!parsed.success) {
        issues.push(describeIssues(parsed.error.issues, at));
        return;
      }
      const { subaccounts, route, publicUrlBase, ...options } = parsed.data;
      const withRoute = (routeOf: string) => ({ ...options, route: routeOf, ...(publicUrlBase === undefined ? {} : { publicUrl: `${publicUrlBase}${routeOf}` }) });
      if (route !== undefined) entries.push({ at, routeAt: at, account: withRoute(route) });
      subaccounts.forEach((subaccount, position) => {
        entries.push({
          at,
          routeAt: `${at}.subaccounts[${position}]`,
          account: withRoute(subaccount.route ?? subaccount.accountSid),
          // Twilio writes SIDs with lower-case hex, in callbacks and URLs: compared exactly, they must match.
          subaccountSid: `AC${subaccount.accountSid.slice(2).toLowerCase()}`,
        });
      });
      return;
    }
    const parsed = AccountConfigSchema.safeParse(entry);
    if (parsed.success) entries.push({ at, routeAt: at, account: parsed.data });
    else issues.push(describeIssues(parsed.error.issues, at));
  });
  if (issues.length > 0) throw new ConfigError(`invalid accounts config: ${issues.slice(0, 5).join('; ')}`);
  return entries;
}

/**
 * The provider account's message log a route lists: its secret's, or a subaccount's under a parent's
 * secret. Routes with the same log share its retention; routes with the same secret (and no
 * subaccount) are one provider account and share one request limit.
 */
function messageLogOf(entry: ParsedEntry): string {
  return entry.subaccountSid === undefined ? entry.account.secretId : `${entry.account.secretId}\u0000${entry.subaccountSid}`;
}

/**
 * Validates the accounts config (at synth and at cold start) and resolves defaults, laying out each
 * Twilio parent's subaccounts as accounts of their own. Throws one ConfigError that names every
 * offending key.
 */
export function parseAccounts(input: unknown): readonly Account[] {
  const entries = parseEntries(input);
  const problems: string[] = [];
  const seen = new Set<string>();
  const subaccountsSeen = new Set<string>();
  const limitBySecret = new Map<string, number>();
  const retentionByLog = new Map<string, string>();
  // A parent's options are the same for each of its subaccounts: checked once per entry.
  const optionsChecked = new Set<string>();
  entries.forEach((entry) => {
    const { account, at } = entry;
    if (seen.has(account.route)) problems.push(`${entry.routeAt}.route: duplicate route`);
    seen.add(account.route);
    if (entry.subaccountSid !== undefined) {
      const sid = entry.subaccountSid.toUpperCase();
      if (subaccountsSeen.has(sid)) problems.push(`${entry.routeAt}.accountSid: duplicate subaccount`);
      subaccountsSeen.add(sid);
    }
    // One secret is one provider account: its routes draw on one request limit, so they must agree on it.
    const limit = account.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS[account.provider];
    const shared = limitBySecret.get(account.secretId);
    if (shared !== undefined && shared !== limit) {
      problems.push(`${at}.maxConcurrentRequests: routes with secretId ${account.secretId} share one provider account and one limit, but ask for ${shared} and ${limit}`);
    }
    limitBySecret.set(account.secretId, shared ?? limit);
    // One message log, one retention: each route's sweep lists every message in it, so a shorter
    // retention on one route would redact the other route's messages early.
    const retention = `${account.redactAfterSeconds ?? PROVIDER_CAPABILITIES[account.provider].redactableAfterSeconds}/${account.sentAgeSeconds ?? 0}`;
    const log = messageLogOf(entry);
    const sharedRetention = retentionByLog.get(log);
    if (sharedRetention !== undefined && sharedRetention !== retention) {
      problems.push(
        `${at}.redactAfterSeconds: routes with secretId ${account.secretId} share one provider message log, `
          + `so they must keep bodies equally long (redactAfterSeconds/sentAgeSeconds ${sharedRetention} and ${retention})`,
      );
    }
    retentionByLog.set(log, sharedRetention ?? retention);
    if (optionsChecked.has(at)) return;
    optionsChecked.add(at);
    const unknown = (account.terminalStatuses ?? []).filter((s) => !KNOWN_STATUSES[account.provider].has(s));
    const capabilities = PROVIDER_CAPABILITIES[account.provider];
    // An option the adapter cannot act on would be silently ignored, or worse, retried until gave-up.
    if (account.deleteMedia === true && !capabilities.deletesMedia) {
      problems.push(`${at}.deleteMedia: ${account.provider} documents no media delete endpoint`);
    }
    if (account.sentAgeSeconds !== undefined && !capabilities.redactsAtSent) {
      problems.push(
        `${at}.sentAgeSeconds: ${account.provider} redacts only once the provider reports a terminal status, so a message still at sent would be retried until gave-up`,
      );
    }
    if (account.sentAgeSeconds !== undefined && terminalStatusesFor(account.provider, account.terminalStatuses).has('sent')) {
      problems.push(`${at}.sentAgeSeconds: sent is already a terminal status for this account`);
    }
    if (account.attemptBodyUpdate !== undefined && account.provider !== 'carrierx') {
      problems.push(`${at}.attemptBodyUpdate: only applies to carrierx accounts`);
    }
    if (unknown.length > 0) {
      problems.push(
        `${at}.terminalStatuses: unknown ${account.provider} status(es) ${unknown.join(', ')}`,
      );
    }
  });
  // A limit or retention conflict inside one parent would repeat for each subaccount: report it once.
  if (problems.length > 0) throw new ConfigError(`invalid accounts config: ${[...new Set(problems)].join('; ')}`);

  // One terminal set per entry: a parent's subaccounts share it (it is read-only).
  const terminalByEntry = new Map<string, ReadonlySet<string>>();
  const terminalOf = ({ at, account }: ParsedEntry): ReadonlySet<string> => {
    let set = terminalByEntry.get(at);
    if (set === undefined) {
      set = terminalStatusesFor(account.provider, account.terminalStatuses);
      terminalByEntry.set(at, set);
    }
    return set;
  };
  return entries.map((entry) => ({ ...resolvedAccount(entry), terminalStatuses: terminalOf(entry) }));
}

/** An entry's account with its defaults resolved (all but the terminal set). */
function resolvedAccount({ account, subaccountSid, at }: ParsedEntry): Omit<Account, 'terminalStatuses'> {
  return {
    entryPath: at,
    route: account.route,
    provider: account.provider,
    secretId: account.secretId,
    redactAfterSeconds: account.redactAfterSeconds ?? PROVIDER_CAPABILITIES[account.provider].redactableAfterSeconds,
    sentAgeSeconds: account.sentAgeSeconds ?? 0,
    deleteMedia: account.deleteMedia ?? false,
    attemptBodyUpdate: account.attemptBodyUpdate ?? false,
    ...(account.signingSecretId === undefined ? {} : { signingSecretId: account.signingSecretId }),
    maxConcurrentRequests: account.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS[account.provider],
    ...(account.publicUrl === undefined ? {} : { publicUrl: account.publicUrl }),
    // A trailing slash would make every API path start with `//`, which providers answer with a 404.
    ...(account.apiBaseUrl === undefined ? {} : { apiBaseUrl: account.apiBaseUrl.replace(/\/+$/, '') }),
    ...(subaccountSid === undefined ? {} : { subaccountSid }),
  };
}

/** Parses the accounts config from its JSON text (environment variable or file). */
export function parseAccountsJson(json: string | undefined, source: string): readonly Account[] {
  if (json === undefined || json.trim() === '') throw new ConfigError(`${source} is not set`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new ConfigError(`${source} is not valid JSON`, cause);
  }
  return parseAccounts(value);
}

/** Index of accounts by route, for the receiver and redactor. */
export function indexByRoute(accounts: readonly Account[]): ReadonlyMap<string, Account> {
  return new Map(accounts.map((account) => [account.route, account]));
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
