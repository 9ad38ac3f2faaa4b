import type { ProviderName } from '../provider-rules/provider-name';

/**
 * Default `maxConcurrentRequests` per provider: how many provider API requests the redactor may have
 * in flight for one account, summed over all its concurrent invocations. The account's own traffic
 * (sending messages) and the sweep's paging share the same provider limit, so the defaults stay well
 * below it.
 * - Twilio limits an account to about 100 concurrent requests (more get 429, error 20429): half of it.
 *   With the construct's defaults (maxConcurrency 5, providerConcurrency 10) that is exactly 10 per
 *   invocation, what one invocation keeps in flight anyway.
 * - SignalWire documents no concurrency limit, only a rate per project (13,800 POST/PUT/PATCH per 10 s;
 *   GET "effectively unlimited"): 20 requests of 100-200 ms is 100-200 writes/s, a tenth of that rate.
 *   Its two APIs are one project, so they share one limit and one default.
 * - CarrierX publishes no limit at all, and a job makes up to 4 requests: 10, to start low.
 * - Vonage's Redact API answers 429 `rate-limit` past 170 requests/s per account; a redaction is one
 *   request of 100-200 ms, so 20 in flight is 100-200 requests/s at most: at or below that rate. Its
 *   SMS and Messages APIs are one account, so they share one default.
 */
export const DEFAULT_MAX_CONCURRENT_REQUESTS: Readonly<Record<ProviderName, number>> = {
  twilio: 50,
  'signalwire-compat': 20,
  'signalwire-rest': 20,
  carrierx: 10,
  'vonage-sms': 20,
  'vonage-messages': 20,
};

/** The largest `maxConcurrentRequests` an account may set (Twilio sells raised limits in the hundreds). */
export const MAX_CONCURRENT_REQUESTS_LIMIT = 10_000;

/**
 * One execution environment's share of an account's request limit. A static partition, no shared
 * store: the SQS event source runs at most `maxConcurrency` redactor invocations at once, each in its
 * own execution environment, so if each allows floor(limit / maxConcurrency) requests, their sum
 * never exceeds the limit. Below 1 the partition cannot hold, so it is refused (see shareProblem).
 */
export function requestShare(accountLimit: number, maxConcurrency: number): number {
  return Math.floor(accountLimit / maxConcurrency);
}

/**
 * Why an account's limit cannot be split over `maxConcurrency` invocations (a share below 1), naming
 * both numbers; undefined when it can.
 */
export function shareProblem(route: string, accountLimit: number, maxConcurrency: number): string | undefined {
  if (requestShare(accountLimit, maxConcurrency) >= 1) return undefined;
  return `account ${route}: maxConcurrentRequests (${accountLimit}) is below maxConcurrency (${maxConcurrency}), `
    + `so each of the ${maxConcurrency} concurrent redactor invocations would get less than one request; `
    + `raise maxConcurrentRequests to at least ${maxConcurrency} or lower maxConcurrency`;
}
