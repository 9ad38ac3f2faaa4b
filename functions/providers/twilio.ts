import * as z from 'zod/mini';
import { jsonCallbackBody, mediaTypeOf, type CallbackRequest } from '../core/callback-request';
import { AuthenticationError, MalformedCallbackError, SecretShapeError } from '../core/errors';
import type { HttpResponse } from '../core/http-client';
import type { Outcome } from '../core/outcome';
import { parseSecret } from '../core/parse-secret';
import type { RedactionJob } from '../core/redaction-job';
import type { StatusEvent } from '../core/status-event';
import { describeIssues } from '../core/zod-issues';
import { basicAuth, classifyByStatus, isSuccessStatus, parseJsonObject, sendOrClassify } from './http-helpers';
import { deleteListedMedia } from './media-deletion';
import type { CallbackProvider, ListingProvider, MessageLister, ProviderClient, RedactionContext, RedactionProvider } from './provider';
import { listTwilioStylePage } from './twilio-style-listing';
import { formParams, isValidFormSignature, isValidJsonSignature, usesBodyHash } from './twilio-signature';

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
} as const;

/**
 * Secrets Manager JSON for a Twilio account. `authToken` signs callbacks (and authenticates API calls
 * unless an API key is given); `previousAuthToken` keeps callbacks valid while the token is rotated.
 */
export const TwilioSecretSchema = z.object({
  accountSid: z.string().check(z.regex(ACCOUNT_SID, 'must be AC followed by 32 hex digits')),
  authToken: z.string().check(z.minLength(16, 'must be the account auth token')),
  previousAuthToken: z.optional(z.string().check(z.minLength(16, 'must be the previous auth token'))),
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

/**
 * Verifies `X-Twilio-Signature` (form or JSON `bodySHA256` variant) against the given signing keys.
 * Shared with SignalWire's compatibility API, which signs the same way with another key and header.
 */
export function authenticateTwilioStyle(
  request: CallbackRequest,
  keys: readonly string[],
  signature: string | undefined,
  headerName: string,
): void {
  if (signature === undefined || signature === '') throw new AuthenticationError(`missing ${headerName} header`, 401);
  const valid = usesBodyHash(request.url)
    ? isValidJsonSignature(keys, signature, request.url, request.body)
    : mediaTypeOf(request) === FORM && isValidFormSignature(keys, signature, request.url, formParamsOf(request));
  if (!valid) {
    throw new AuthenticationError(
      `${headerName} does not match (check the account's publicUrl and signing secret)`,
    );
  }
}

/** Reads the signed parameters into a plain object; the JSON variant carries them as a JSON object. */
export function callbackParams(request: CallbackRequest): Record<string, unknown> {
  if (usesBodyHash(request.url)) return jsonCallbackBody(request);
  if (mediaTypeOf(request) !== FORM) {
    throw new MalformedCallbackError(`callback must be ${FORM}`, 415);
  }
  const params: Record<string, string> = {};
  for (const [key, value] of formParamsOf(request)) params[key] ??= value;
  return params;
}

/** Where the request's parsed form params are kept (a symbol-keyed slot: cheaper than a WeakMap per request). */
const PARSED_FORM = Symbol('parsedForm');

/** The request's form params, parsed once for both the signature check and the parsing after it. */
function formParamsOf(request: CallbackRequest): Array<[string, string]> {
  const holder = request as CallbackRequest & { [PARSED_FORM]?: Array<[string, string]> };
  return (holder[PARSED_FORM] ??= formParams(request.body));
}

export const twilioCallbacks: CallbackProvider = {
  provider: 'twilio',

  bindVerifier(secret, secretId) {
    const { accountSid, authToken, previousAuthToken } = parseTwilioSecret(secret, secretId);
    const keys = previousAuthToken === undefined ? [authToken] : [authToken, previousAuthToken];
    return {
      providerAccount: accountSid,
      authenticate(request) {
        if (request.headers['x-twilio-webhooks-signature-settings'] !== undefined) {
          // Twilio's beta HMAC-SHA256 mode; accepting it unverified would mean failing open.
          throw new AuthenticationError('HMAC-SHA256 webhook signatures are not supported; use the default HMAC-SHA1');
        }
        authenticateTwilioStyle(request, keys, request.headers['x-twilio-signature'], 'X-Twilio-Signature');
      },
    };
  },

  parseCallback(request, route): StatusEvent {
    const parsed = TwilioCallbackSchema.safeParse(callbackParams(request));
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
      providerAccount: params.AccountSid,
      ...(params.ErrorCode ? { errorCode: params.ErrorCode } : {}),
      ...(messageId.startsWith('MM') || Number(params.NumMedia ?? '0') > 0 ? { hasMedia: true } : {}),
    };
  },
};

/**
 * Classifies a Twilio API error answer. One place for every status and code we know:
 * 404 → not-found, 20009 → not-final, 429/20429 → throttled, 401/403 → auth, 5xx → transient,
 * any other 4xx → rejected with Twilio's code.
 */
export function classifyTwilioError(response: HttpResponse, now: Date): Outcome {
  const code = twilioErrorCode(response) ?? `http-${response.status}`;
  if (code === TWILIO_CODES.notComplete) return { kind: 'not-final', code };
  if (code === TWILIO_CODES.tooManyRequests) return classifyByStatus({ ...response, status: 429 }, code, now, 'Twilio');
  return classifyByStatus(response, code, now, 'Twilio');
}

/** Twilio's error body is `{ code, message, more_info, status }`; only the numeric code is kept. */
function twilioErrorCode(response: HttpResponse): string | undefined {
  const code = parseJsonObject(response.body)?.code;
  return typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code)) ? String(code) : undefined;
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
    const authorization = apiAuthorization(credentials);
    return {
      redact: (job, context) => redactTwilioMessage(job, context, credentials.accountSid, authorization),
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

  // POST …/Messages/{Sid}.json with Body= (empty) redacts the text (twilio-update-message.txt).
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

/** API calls authenticate with the API key when the secret has one, else with the account's auth token. */
function apiAuthorization(credentials: TwilioSecret): string {
  return credentials.apiKeySid !== undefined && credentials.apiKeySecret !== undefined
    ? basicAuth(credentials.apiKeySid, credentials.apiKeySecret)
    : basicAuth(credentials.accountSid, credentials.authToken);
}

/** The listing side: `GET /2010-04-01/Accounts/{AccountSid}/Messages.json` (PageSize up to 1000). */
export const twilioListing: ListingProvider = {
  provider: 'twilio',
  bindLister(secret, secretId): MessageLister {
    const credentials = parseTwilioSecret(secret, secretId);
    const authorization = apiAuthorization(credentials);
    return {
      listPage: (query, context) =>
        listTwilioStylePage(
          {
            origin: context.apiBaseUrl ?? TWILIO_API_BASE_URL,
            path: `/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`,
            authorization,
            maxPageSize: 1000,
            isMessageId: (value) => MESSAGE_SID.test(value),
            classifyError: classifyTwilioError,
          },
          query,
          context,
        ),
    };
  },
};
