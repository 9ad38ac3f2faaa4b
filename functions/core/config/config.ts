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

/** One configured provider account, as written in the accounts config file. */
export const AccountConfigSchema = z.strictObject({
  /** Opaque path segment of the callback URL (`/callbacks/{route}`); selects this account. */
  route: z.string().check(
    z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'route must be 1-128 characters of A-Z a-z 0-9 _ -'),
  ),
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

export type AccountConfigInput = z.input<typeof AccountConfigSchema>;

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
}

const AccountsSchema = z.array(AccountConfigSchema).check(z.minLength(1, 'at least one account is required'));

/**
 * Validates the accounts config (at synth and at cold start) and resolves defaults. Throws one
 * ConfigError that names every offending key.
 */
export function parseAccounts(input: unknown): readonly Account[] {
  const parsed = AccountsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(`invalid accounts config: ${describeIssues(parsed.error.issues, 'accounts')}`);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const limitBySecret = new Map<string, number>();
  const retentionBySecret = new Map<string, string>();
  parsed.data.forEach((account, index) => {
    if (seen.has(account.route)) problems.push(`accounts[${index}].route: duplicate route`);
    seen.add(account.route);
    // One secret is one provider account: its routes draw on one request limit, so they must agree on it.
    const limit = account.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS[account.provider];
    const shared = limitBySecret.get(account.secretId);
    if (shared !== undefined && shared !== limit) {
      problems.push(`accounts[${index}].maxConcurrentRequests: routes with secretId ${account.secretId} share one provider account and one limit, but ask for ${shared} and ${limit}`);
    }
    limitBySecret.set(account.secretId, shared ?? limit);
    // One secret is one message log too: each route's sweep lists every message in it, so a shorter
    // retention on one route would redact the other route's messages early.
    const retention = `${account.redactAfterSeconds ?? PROVIDER_CAPABILITIES[account.provider].redactableAfterSeconds}/${account.sentAgeSeconds ?? 0}`;
    const sharedRetention = retentionBySecret.get(account.secretId);
    if (sharedRetention !== undefined && sharedRetention !== retention) {
      problems.push(
        `accounts[${index}].redactAfterSeconds: routes with secretId ${account.secretId} share one provider message log, `
          + `so they must keep bodies equally long (redactAfterSeconds/sentAgeSeconds ${sharedRetention} and ${retention})`,
      );
    }
    retentionBySecret.set(account.secretId, sharedRetention ?? retention);
    const unknown = (account.terminalStatuses ?? []).filter((s) => !KNOWN_STATUSES[account.provider].has(s));
    const capabilities = PROVIDER_CAPABILITIES[account.provider];
    // An option the adapter cannot act on would be silently ignored, or worse, retried until gave-up.
    if (account.deleteMedia === true && !capabilities.deletesMedia) {
      problems.push(`accounts[${index}].deleteMedia: ${account.provider} documents no media delete endpoint`);
    }
    if (account.sentAgeSeconds !== undefined && !capabilities.redactsAtSent) {
      problems.push(
        `accounts[${index}].sentAgeSeconds: ${account.provider} redacts only once the provider reports a terminal status, so a message still at sent would be retried until gave-up`,
      );
    }
    if (account.sentAgeSeconds !== undefined && terminalStatusesFor(account.provider, account.terminalStatuses).has('sent')) {
      problems.push(`accounts[${index}].sentAgeSeconds: sent is already a terminal status for this account`);
    }
    if (account.attemptBodyUpdate !== undefined && account.provider !== 'carrierx') {
      problems.push(`accounts[${index}].attemptBodyUpdate: only applies to carrierx accounts`);
    }
    if (unknown.length > 0) {
      problems.push(
        `accounts[${index}].terminalStatuses: unknown ${account.provider} status(es) ${unknown.join(', ')}`,
      );
    }
  });
  if (problems.length > 0) throw new ConfigError(`invalid accounts config: ${problems.join('; ')}`);

  return parsed.data.map((account) => ({
    route: account.route,
    provider: account.provider,
    secretId: account.secretId,
    terminalStatuses: terminalStatusesFor(account.provider, account.terminalStatuses),
    redactAfterSeconds: account.redactAfterSeconds ?? PROVIDER_CAPABILITIES[account.provider].redactableAfterSeconds,
    sentAgeSeconds: account.sentAgeSeconds ?? 0,
    deleteMedia: account.deleteMedia ?? false,
    attemptBodyUpdate: account.attemptBodyUpdate ?? false,
    ...(account.signingSecretId === undefined ? {} : { signingSecretId: account.signingSecretId }),
    maxConcurrentRequests: account.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS[account.provider],
    ...(account.publicUrl === undefined ? {} : { publicUrl: account.publicUrl }),
    // A trailing slash would make every API path start with `//`, which providers answer with a 404.
    ...(account.apiBaseUrl === undefined ? {} : { apiBaseUrl: account.apiBaseUrl.replace(/\/+$/, '') }),
  }));
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
