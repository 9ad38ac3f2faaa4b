import { SQS_LIMITS } from '../core/config/aws-limits';
import type { CallbackRequest } from '../core/callbacks/callback-request';
import type { Account } from '../core/config/config';
import { RedactorError, AuthenticationError, ConfigError, SubaccountTokenError } from '../core/runtime/errors';
import type { Logger } from '../core/telemetry/logger';
import { LOG_EVENTS, METRICS, refusalReason } from '../core/telemetry/telemetry-names';
import type { ProviderName } from '../core/provider-rules/provider-name';
import type { JobSender } from '../core/redaction/queues';
import { buildRedactionJob } from '../core/redaction/redaction-job';
import type { SecretStore } from '../core/secrets/secret-store';
import { PerSecretMemo } from '../core/secrets/per-secret-memo';
import { decideCallback } from '../core/callbacks/callback-decision';
import type { VerifiedCallback } from '../core/callbacks/verified-callback';
import type { CallbackProvider, CallbackVerifier } from '../providers/provider';
import { requireSignature } from '../providers/twilio-signature';
import type { SubaccountSigningSecrets } from './subaccount-signing-secrets';

/** SQS accepts at most 15 minutes of DelaySeconds; longer waits are carried by the job's `notBefore`. */
const MAX_SQS_DELAY_SECONDS = SQS_LIMITS.maxDelaySeconds;

/** Everything the receiver needs, as one object: the handler's adapters pass it in, tests swap parts. */
export interface ReceiverDeps {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly providers: Readonly<Record<ProviderName, CallbackProvider>>;
  readonly secrets: SecretStore;
  readonly queue: JobSender;
  readonly now: () => Date;
  readonly log: Logger;
  /** Larger bodies are refused with 413 before anything else reads them. */
  readonly maxBodyBytes: number;
  /** Twilio subaccounts' signing tokens, fetched with their parent's credentials; required when a route is a subaccount. */
  readonly subaccounts?: SubaccountSigningSecrets;
}

/** A callback as it reached us, before we know which account's public URL applies. */
export interface IncomingCallback {
  readonly route: string | undefined;
  readonly method: string;
  /** The URL as the front door saw it (used when the account has no `publicUrl`). */
  readonly receivedUrl: string;
  /** Raw query string as sent, without `?`. */
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

export interface CallbackResponse {
  readonly statusCode: number;
  /** JSON text; on errors `{ "error": "<what is wrong>" }`, never echoing the request. */
  readonly body: string;
}

/** Bound verifiers, memoised per cached secret object and provider. */
const verifiers = new PerSecretMemo<CallbackVerifier>();

/**
 * The receiver's core: authenticate → parse → decide → enqueue. Answers 200 when a job was enqueued,
 * 204 when the callback was authentic but not terminal, 4xx when the callback is refused (nothing
 * enqueued) and 5xx only where the provider retrying can help.
 */
export async function receiveCallback(incoming: IncomingCallback, deps: ReceiverDeps): Promise<CallbackResponse> {
  const account = incoming.route === undefined ? undefined : deps.accounts.get(incoming.route);
  // The unknown route itself is not logged: it is caller-controlled text.
  if (account === undefined) return refuse(404, 'unknown callback route', deps);
  const fields = { route: account.route, provider: account.provider };
  if (incoming.method !== 'POST') return refuse(405, 'status callbacks must be POST', deps, fields);
  if (incoming.body.length > deps.maxBodyBytes) {
    return refuse(413, `callback body is larger than ${deps.maxBodyBytes} bytes`, deps, fields);
  }
  const provider = deps.providers[account.provider];

  try {
    // The receiver reads only what verifies callbacks: the signing secret when the account has one.
    const secretId = account.signingSecretId ?? account.secretId;
    const secret = await deps.secrets.get(secretId);
    const request: CallbackRequest = {
      method: incoming.method,
      url: account.publicUrl === undefined ? incoming.receivedUrl : withQuery(account.publicUrl, incoming.rawQuery),
      headers: incoming.headers,
      body: incoming.body,
    };
    const callback = account.subaccountSid === undefined
      ? verifierFor(provider, secret, secretId).authenticate(request)
      : await authenticateSubaccount({ ...account, subaccountSid: account.subaccountSid }, provider, secret, request, deps);
    const event = provider.parseCallback(callback, account.route);
    const eventFields = { ...fields, messageId: event.messageId, status: event.status, keyGeneration: callback.keyGeneration };
    // Counted only when it happens: the rotation is done once this stays at zero.
    const byPreviousKey = callback.keyGeneration === 'previous' ? [{ name: METRICS.callbacksByPreviousKey }] : [];
    const decision = decideCallback(event, account);
    if (decision.kind !== 'redact') {
      // Not final yet, or final with a retention longer than a queue carries: the sweep redacts it when due.
      // Debug: every message has such a callback, and the line says nothing the metric does not.
      deps.log.debug(LOG_EVENTS.callbackIgnored, {
        ...eventFields,
        reason: decision.kind === 'ignore' ? 'not-terminal' : 'retention-served-by-sweep',
      }, [{ name: METRICS.callbacksIgnored }, ...byPreviousKey]);
      return { statusCode: 204, body: '' };
    }
    const job = buildRedactionJob(event, deps.now(), decision.afterSeconds);
    const delaySeconds = Math.min(decision.afterSeconds, MAX_SQS_DELAY_SECONDS);
    try {
      await deps.queue.send(job, delaySeconds > 0 ? { delaySeconds } : undefined);
    } catch (error) {
      return fail(503, deps, eventFields, error);
    }
    deps.log.info(LOG_EVENTS.callbackAccepted, { ...eventFields, reason: decision.reason }, [{ name: METRICS.callbacksAccepted }, ...byPreviousKey]);
    return { statusCode: 200, body: '{"accepted":true}' };
  } catch (error) {
    if (!(error instanceof RedactorError)) throw error;
    if (error.httpStatus >= 500) return fail(error.httpStatus, deps, fields, error);
    return refuse(error.httpStatus, error.message, deps, fields, error);
  }
}

/**
 * A Twilio subaccount's callback, verified with the subaccount's own auth token (fetched with the
 * parent's credentials in `parentSecret`). A mismatch may be a token rotated since it was cached: the
 * token is fetched once more, unless it was fetched moments ago, and the callback verified again. A 401
 * from Twilio may be the parent's own credentials rotated since they were cached: they are read once
 * more. Fail closed: a token that cannot be fetched refuses the callback (503 when retrying can help,
 * else 500).
 */
async function authenticateSubaccount(
  account: Account & { subaccountSid: string },
  provider: CallbackProvider,
  parentSecret: unknown,
  request: CallbackRequest,
  deps: ReceiverDeps,
): Promise<VerifiedCallback> {
  const subaccounts = deps.subaccounts;
  if (subaccounts === undefined) throw new ConfigError(`route ${account.route} is a Twilio subaccount, but the receiver has no subaccount token source`);
  // An unsigned callback is refused before anything is fetched: without a signature nobody gets us to call Twilio.
  requireSignature(request.headers['x-twilio-signature'], 'X-Twilio-Signature');
  const verify = async (parent: unknown) => verifierFor(provider, await subaccounts.get(account, parent), account.secretId).authenticate(request);
  try {
    return await verify(parentSecret);
  } catch (error) {
    // Twilio refused the parent's credentials: they may have been rotated. Read them again, at most
    // once per interval per secret, so that failing callbacks cannot drive Secrets Manager or Twilio.
    if (error instanceof SubaccountTokenError && error.code === 'http-401' && parentRereadDue(account.secretId, deps.now().getTime())) {
      deps.secrets.invalidate(account.secretId);
      subaccounts.forget(account);
      return verify(await deps.secrets.get(account.secretId));
    }
    if (!(error instanceof AuthenticationError) || error.httpStatus !== 403 || !subaccounts.refreshAfterMismatch(account)) throw error;
    return verify(parentSecret);
  }
}

/** When each parent secret was last read again after a 401 (per execution environment). */
const parentRereads = new Map<string, number>();
const PARENT_REREAD_INTERVAL_MS = 60_000;

function parentRereadDue(secretId: string, now: number): boolean {
  const last = parentRereads.get(secretId);
  if (last !== undefined && now - last < PARENT_REREAD_INTERVAL_MS) return false;
  parentRereads.set(secretId, now);
  return true;
}

function verifierFor(provider: CallbackProvider, secret: unknown, secretId: string): CallbackVerifier {
  return verifiers.get(secret as object, provider.provider, () => provider.bindVerifier(secret, secretId));
}

function withQuery(url: string, rawQuery: string): string {
  return rawQuery === '' ? url : `${url}?${rawQuery}`;
}

/**
 * A 4xx answer. The line names the reason as a stable code (the metric's dimension) and, for our own
 * errors, their fixed message (which never quotes the request).
 */
function refuse(
  statusCode: number,
  message: string,
  deps: ReceiverDeps,
  fields?: { route: string; provider: string },
  error?: unknown,
): CallbackResponse {
  deps.log.warn(LOG_EVENTS.callbackRefused, {
    ...fields,
    httpStatus: statusCode,
    reason: refusalReason(statusCode),
    ...(error === undefined ? {} : { error }),
  }, [{ name: METRICS.callbacksRefused, by: 'reason' }]);
  return { statusCode, body: JSON.stringify({ error: message }) };
}

function fail(
  statusCode: number,
  deps: ReceiverDeps,
  fields: { route: string; provider: string; messageId?: string; status?: string },
  error?: unknown,
): CallbackResponse {
  deps.log.error(LOG_EVENTS.callbackFailed, { ...fields, httpStatus: statusCode, error }, [{ name: METRICS.callbackServerErrors }]);
  // 5xx bodies stay generic: the detail is in our logs, not in the provider's.
  return { statusCode, body: JSON.stringify({ error: statusCode === 503 ? 'temporarily unavailable; retry later' : 'internal error' }) };
}
