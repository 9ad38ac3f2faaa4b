import * as z from 'zod/mini';
import { AuthenticationError, MalformedCallbackError, SecretShapeError } from '../core/runtime/errors';
import type { HttpResponse, HttpClient } from '../core/runtime/http-client';
import type { Outcome } from '../core/redaction/outcome';
import { parseSecret } from '../core/secrets/parse-secret';
import type { RedactionJob } from '../core/redaction/redaction-job';
import { twilioUrlVariants } from '../core/callbacks/signed-url-variants';
import type { StatusEvent } from '../core/callbacks/status-event';
import { verifiedCallback } from '../core/callbacks/verified-callback';
import { describeIssues } from '../core/config/zod-issues';
import { basicAuth, classifyByStatus, isSuccessStatus, parseJsonObject, sendOrClassify, twilioStyleErrorCode, type ProviderErrors } from './http-helpers';
import { deleteListedMedia } from './media-deletion';
import type { CallbackProvider, ListContext, ListingProvider, MessageLister, ProviderClient, RedactionContext, RedactionProvider } from './provider';
import { fetchTwilioStyleMessage, listTwilioStylePage, type TwilioStyleList } from './twilio-style-listing';
import { requireSignature, verifyTwilioStyleCallback, type TwilioSignatureAlgorithm, type TwilioStyleSigning } from './twilio-signature';
import { fetchTwilioSubaccountToken } from './twilio-subaccount-token';

/** Twilio's REST API origin. */
export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const MEDIA_SID = /^ME[0-9a-fA-F]{32}$/;
const FORM = 'application/x-www-form-urlencoded';

/** Twilio error codes with a meaning of their own (https://www.twilio.com/docs/api/errors). */
const TWILIO_CODES = {
  /** "Cannot delete/redact: message is not complete yet": retry later. */
  notComplete: '20009',
  /** Too many concurrent requests: never processed, always safe to retry. */
  tooManyRequests: '20429',
  /** "The requested resource … was not found": the message does not exist (deleted or expired). */
  notFound: '20404',
} as const;

/** Twilio's errors: only its JSON 20404 answer means "no such message"; any other 404 is a wrong URL or account. */
const TWILIO_ERRORS: ProviderErrors = {
  name: 'Twilio',
  isNotFound: (response) => twilioStyleErrorCode(response) === TWILIO_CODES.notFound,
};

/**
 * Secrets Manager JSON for a Twilio account. `authToken` signs callbacks and authenticates API calls
 * unless an API key (`apiKeySid` + `apiKeySecret`) is given. `sharedKeySecret` verifies webhooks that
 * Twilio signs with a SharedKey (announced by X-Twilio-Webhooks-Signature-Settings). Each `previous…`
 * keeps callbacks valid while its key is rotated. A signing secret (the account's `signingSecretId`)
 * holds `accountSid` and only the signing keys.
 */
export const TwilioSecretSchema = z.object({
  accountSid: z.string().check(z.regex(ACCOUNT_SID, 'must be AC followed by 32 hex digits')),
  authToken: z.optional(z.string().check(z.minLength(16, 'must be the account auth token'))),
  previousAuthToken: z.optional(z.string().check(z.minLength(16, 'must be the previous auth token'))),
  sharedKeySecret: z.optional(z.string().check(z.minLength(16, 'must be the webhook SharedKey secret'))),
  previousSharedKeySecret: z.optional(z.string().check(z.minLength(16, 'must be the previous SharedKey secret'))),
  apiKeySid: z.optional(z.string().check(z.regex(/^SK[0-9a-fA-F]{32}$/, 'must be SK followed by 32 hex digits'))),
  apiKeySecret: z.optional(z.string().check(z.minLength(16, 'must be the API key secret'))),
});

export type TwilioSecret = z.infer<typeof TwilioSecretSchema>;

export function parseTwilioSecret(secret: unknown, secretId: string): TwilioSecret {
  const parsed = parseSecret(TwilioSecretSchema, secret, secretId);
  if ((parsed.apiKeySid === undefined) !== (parsed.apiKeySecret === undefined)) {
    throw new SecretShapeError(secretId, 'apiKeySid and apiKeySecret must be given together');
  }
  return parsed;
}

/** Current key first, then the previous one; empty when the current one is absent. */
function keyGenerations(current: string | undefined, previous: string | undefined): readonly string[] {
  if (current === undefined) return [];
  return previous === undefined ? [current] : [current, previous];
}

/**
 * Status callback parameters we read. Twilio adds parameters without notice, so unknown keys are
 * allowed (and still signed over). `Body`, `From`, `To` are deliberately never read.
 */
const TwilioCallbackSchema = z.looseObject({
  MessageSid: z.optional(z.string().check(z.regex(MESSAGE_SID, 'must be SM/MM followed by 32 hex digits'))),
  SmsSid: z.optional(z.string().check(z.regex(MESSAGE_SID, 'must be SM/MM followed by 32 hex digits'))),
  MessageStatus: z.optional(z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word'))),
  SmsStatus: z.optional(z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word'))),
  AccountSid: z.string().check(z.regex(ACCOUNT_SID, 'must be AC followed by 32 hex digits')),
  ErrorCode: z.optional(z.string().check(z.regex(/^\d{0,10}$/, 'must be a number'))),
  NumMedia: z.optional(z.string().check(z.regex(/^\d{1,3}$/, 'must be a number'))),
});

const SIGNATURE_HEADER = 'X-Twilio-Signature';
const SETTINGS_HEADER = 'X-Twilio-Webhooks-Signature-Settings';

/**
 * The algorithm X-Twilio-Webhooks-Signature-Settings names (`key=<id>,algorithm=HMAC_SHA256`), read as
 * twilio-node 6.3's getSignatureAlgorithm does: HMAC_SHA1 when it names none; undefined for a name we do
 * not know, which is refused rather than guessed.
 */
export function signatureSettingsAlgorithm(header: string): TwilioSignatureAlgorithm | undefined {
  let named = '';
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator !== -1 && part.slice(0, separator).trim() === 'algorithm') {
      named = part.slice(separator + 1).trim();
      if (named !== '') break;
    }
  }
  const upper = named.toUpperCase();
  if (upper === '' || upper === 'HMAC_SHA1') return 'sha1';
  if (upper === 'HMAC_SHA256') return 'sha256';
  return undefined;
}

export const twilioCallbacks: CallbackProvider = {
  provider: 'twilio',

  bindVerifier(secret, secretId) {
    const parsed = parseTwilioSecret(secret, secretId);
    if (parsed.authToken === undefined && parsed.sharedKeySecret === undefined) {
      throw new SecretShapeError(secretId, 'authToken: required (or sharedKeySecret when every webhook is signed with a SharedKey)');
    }
    const authTokens = keyGenerations(parsed.authToken, parsed.previousAuthToken);
    const sharedKeys = keyGenerations(parsed.sharedKeySecret, parsed.previousSharedKeySecret);
    const signing = (keys: readonly string[], algorithm: TwilioSignatureAlgorithm): TwilioStyleSigning => ({ keys, algorithm, urlVariants: twilioUrlVariants });
    const byAuthToken = signing(authTokens, 'sha1');
    const bySharedKey = { sha1: signing(sharedKeys, 'sha1'), sha256: signing(sharedKeys, 'sha256') };

    /** Which keys and hash verify this callback: the auth token unless a SharedKey signed it. */
    const signingFor = (settings: string | undefined): TwilioStyleSigning => {
      if (settings === undefined || settings === '') {
        if (authTokens.length === 0) {
          throw new AuthenticationError(`callback is signed with the auth token, but the account's signing secret has no authToken`);
        }
        return byAuthToken;
      }
      const algorithm = signatureSettingsAlgorithm(settings);
      if (algorithm === undefined) {
        throw new AuthenticationError(`${SETTINGS_HEADER} names an unsupported algorithm (supported: HMAC_SHA1, HMAC_SHA256)`);
      }
      if (sharedKeys.length === 0) {
        throw new AuthenticationError(`${SETTINGS_HEADER} announces a SharedKey signature, but the account's signing secret has no sharedKeySecret`);
      }
      return bySharedKey[algorithm];
    };

    return {
      authenticate(request) {
        const signature = requireSignature(request.headers['x-twilio-signature'], SIGNATURE_HEADER);
        const signed = signingFor(request.headers['x-twilio-webhooks-signature-settings']);
        const { fields, keyGeneration } = verifyTwilioStyleCallback(request, signed, signature, SIGNATURE_HEADER);
        return verifiedCallback({ fields, keyGeneration, providerAccount: parsed.accountSid, accountField: { name: 'AccountSid', isWellFormed: (value) => ACCOUNT_SID.test(value) } });
      },
    };
  },

  parseCallback(callback, route): StatusEvent {
    const parsed = TwilioCallbackSchema.safeParse(callback.fields);
    if (!parsed.success) {
      throw new MalformedCallbackError(`invalid Twilio callback: ${describeIssues(parsed.error.issues)}`);
    }
    const params = parsed.data;
    const messageId = params.MessageSid ?? params.SmsSid;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (messageId === undefined) throw new MalformedCallbackError('invalid Twilio callback: MessageSid is missing');
    if (status === undefined) throw new MalformedCallbackError('invalid Twilio callback: MessageStatus is missing');
    return {
      provider: 'twilio',
      route,
      messageId,
      status,
      ...(params.ErrorCode ? { errorCode: params.ErrorCode } : {}),
      ...(messageId.startsWith('MM') || Number(params.NumMedia ?? '0') > 0 ? { hasMedia: true } : {}),
    };
  },
};

/**
 * Classifies a Twilio API error answer. One place for every status and code we know:
 * 404 with 20404 → not-found (any other 404 → misconfigured), 20009 → not-final, 429/20429 →
 * throttled, 401/403 → auth, 5xx → transient, any other 4xx → rejected with Twilio's code.
 */
export function classifyTwilioError(response: HttpResponse, now: Date): Outcome {
  const code = twilioStyleErrorCode(response) ?? `http-${response.status}`;
  if (code === TWILIO_CODES.notComplete) return { kind: 'not-final', code };
  if (code === TWILIO_CODES.tooManyRequests) return classifyByStatus({ ...response, status: 429 }, code, now, TWILIO_ERRORS);
  return classifyByStatus(response, code, now, TWILIO_ERRORS);
}

/** A 2xx answer to the redact call is only success if the returned resource's body is empty. */
function classifyRedactAnswer(response: HttpResponse): Outcome {
  const resource = parseJsonObject(response.body);
  if (resource === undefined) return { kind: 'transient', code: 'unparseable-response' };
  if (resource.body === '' || resource.body === null) return { kind: 'redacted' };
  return { kind: 'rejected', code: 'body-not-empty', reason: 'Twilio answered 2xx but the body is not empty' };
}

export const twilioRedaction: RedactionProvider = {
  provider: 'twilio',
  bindClient(secret, secretId): ProviderClient {
    const credentials = parseTwilioSecret(secret, secretId);
    const authorization = apiAuthorization(credentials, secretId);
    const parentAuthorization = subaccountAuthorization(credentials, secretId);
    return {
      // A subaccount's messages are acted on with its parent's credentials under its own Account SID:
      // "main account credentials … access … v2010 API resources for any of your subaccounts"
      // (https://www.twilio.com/docs/iam/api/subaccounts#authentication).
      redact: (job, context) => context.subaccountSid === undefined
        ? redactTwilioMessage(job, context, credentials.accountSid, authorization)
        : redactTwilioMessage(job, context, context.subaccountSid, parentAuthorization),
    };
  },
};

async function redactTwilioMessage(
  job: RedactionJob,
  context: RedactionContext,
  accountSid: string,
  authorization: string,
): Promise<Outcome> {
  if (!MESSAGE_SID.test(job.messageId)) {
    return { kind: 'rejected', code: 'invalid-message-id', reason: 'message id is not a Twilio message SID' };
  }
  const messageUrl = `${context.apiBaseUrl ?? TWILIO_API_BASE_URL}/2010-04-01/Accounts/${accountSid}/Messages/${job.messageId}`;
  const headers = { authorization, accept: 'application/json' };
  const now = context.now();

  // POST …/Messages/{Sid}.json with Body= (empty) redacts the text (Twilio API reference, Message resource, update; docs/providers.md).
  const answer = await sendOrClassify(context.http, {
    method: 'POST',
    url: `${messageUrl}.json`,
    headers: { ...headers, 'content-type': FORM },
    body: 'Body=',
  });
  if ('kind' in answer) return answer;
  const outcome = isSuccessStatus(answer.status) ? classifyRedactAnswer(answer) : classifyTwilioError(answer, now);
  const hasMedia = job.media === true || job.messageId.startsWith('MM');
  if (outcome.kind !== 'redacted' || !context.deleteMedia || !hasMedia) return outcome;
  // Redacting the body leaves media in place; delete each item when the account asks for it.
  return deleteListedMedia({
    http: context.http,
    headers,
    firstPageUrl: `${messageUrl}/Media.json?PageSize=100`,
    origin: context.apiBaseUrl ?? TWILIO_API_BASE_URL,
    mediaUrl: (mediaSid) => `${messageUrl}/Media/${mediaSid}.json`,
    isMediaSid: (value) => MEDIA_SID.test(value),
    classifyError: (response) => classifyTwilioError(response, now),
  });
}

/**
 * Calls on a subaccount's resources authenticate with the parent's Account SID and auth token, the
 * form Twilio documents for them (https://www.twilio.com/docs/iam/api/subaccounts#authentication),
 * even when the secret also has an API key: a Standard key cannot reach subaccounts, and whether a
 * Main key can redact their messages is not confirmed (docs/many-accounts.md). Without an auth token,
 * the API key is tried.
 */
export function subaccountAuthorization(credentials: TwilioSecret, secretId: string): string {
  if (credentials.authToken !== undefined) return basicAuth(credentials.accountSid, credentials.authToken);
  return apiAuthorization(credentials, secretId);
}

/** API calls authenticate with the API key when the secret has one, else with the account's auth token. */
function apiAuthorization(credentials: TwilioSecret, secretId: string): string {
  if (credentials.apiKeySid !== undefined && credentials.apiKeySecret !== undefined) {
    return basicAuth(credentials.apiKeySid, credentials.apiKeySecret);
  }
  if (credentials.authToken !== undefined) return basicAuth(credentials.accountSid, credentials.authToken);
  throw new SecretShapeError(secretId, 'authToken: required unless apiKeySid and apiKeySecret are given');
}

/** The listing side: `GET /2010-04-01/Accounts/{AccountSid}/Messages.json` (PageSize up to 1000). */
export const twilioListing: ListingProvider = {
  provider: 'twilio',
  bindLister(secret, secretId): MessageLister {
    const credentials = parseTwilioSecret(secret, secretId);
    const authorization = apiAuthorization(credentials, secretId);
    const parentAuthorization = subaccountAuthorization(credentials, secretId);
    const api = (context: ListContext): TwilioStyleList => ({
      origin: context.apiBaseUrl ?? TWILIO_API_BASE_URL,
      path: `/2010-04-01/Accounts/${context.subaccountSid ?? credentials.accountSid}/Messages.json`,
      authorization: context.subaccountSid === undefined ? authorization : parentAuthorization,
      maxPageSize: 1000,
      isMessageId: (value) => MESSAGE_SID.test(value),
      classifyError: classifyTwilioError,
    });
    return {
      listPage: (query, context) => listTwilioStylePage(api(context), query, context),
      fetchMessage: (id, context) => fetchTwilioStyleMessage(api(context), id, context),
    };
  },
};

/**
 * Fetches subaccounts' tokens over `http` with the parent's credentials read from its API secret
 * (an account's `secretId`), at the account's `apiBaseUrl` else Twilio's.
 * @throws SecretShapeError when the parent's secret is malformed, SubaccountTokenError
 */
export function twilioSubaccountTokenFetcher(http: HttpClient) {
  return (account: { readonly secretId: string; readonly subaccountSid: string; readonly apiBaseUrl?: string }, parentSecret: unknown): Promise<string> => {
    const parent = parseTwilioSecret(parentSecret, account.secretId);
    return fetchTwilioSubaccountToken({
      http,
      origin: account.apiBaseUrl ?? TWILIO_API_BASE_URL,
      authorization: subaccountAuthorization(parent, account.secretId),
      parentSid: parent.accountSid,
      subaccountSid: account.subaccountSid,
    });
  };
}
