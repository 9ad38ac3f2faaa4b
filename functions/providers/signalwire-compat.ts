import * as z from 'zod/mini';
import { MalformedCallbackError } from '../core/runtime/errors';
import type { HttpResponse } from '../core/runtime/http-client';
import type { Outcome } from '../core/redaction/outcome';
import type { RedactionJob } from '../core/redaction/redaction-job';
import { signalWireUrlVariants } from '../core/callbacks/signed-url-variants';
import type { StatusEvent } from '../core/callbacks/status-event';
import { verifiedCallback } from '../core/callbacks/verified-callback';
import { describeIssues } from '../core/config/zod-issues';
import { basicAuth, classifyByStatus, isSuccessStatus, parseJsonObject, sendOrClassify, twilioStyleErrorCode, type ProviderErrors } from './http-helpers';
import { deleteListedMedia } from './media-deletion';
import type { CallbackProvider, ListContext, ListingProvider, MessageLister, RedactionContext, RedactionProvider } from './provider';
import { fetchTwilioStyleMessage, listTwilioStylePage, type TwilioStyleList } from './twilio-style-listing';
import {
  SIGNALWIRE_IN_PROGRESS,
  isSignalWireId,
  parseSignalWireSecret,
  parseSignalWireSigningKeys,
  signalWireIdSchema,
  type SignalWireCredentials, signalWireRedaction } from './signalwire-secret';
import { requireSignature, verifyTwilioStyleCallback, type TwilioStyleSigning } from './twilio-signature';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Compatibility (cXML/LaML) status callback: form POST like Twilio's, but it also carries `Body`,
 * `From` and `To`. Only ids and status are read.
 */
const CompatCallbackSchema = z.looseObject({
  MessageSid: signalWireIdSchema('MessageSid'),
  MessageStatus: z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word')),
  AccountSid: z.optional(signalWireIdSchema('AccountSid')),
  ErrorCode: z.optional(z.string().check(z.regex(/^\d{0,10}$/, 'must be a number'))),
  NumMedia: z.optional(z.string().check(z.regex(/^\d{1,3}$/, 'must be a number'))),
});

export const signalWireCompatCallbacks: CallbackProvider = {
  provider: 'signalwire-compat',

  bindVerifier(secret, secretId) {
    const { projectId, signingKeys } = parseSignalWireSigningKeys(secret, secretId);
    const signing: TwilioStyleSigning = { keys: signingKeys, algorithm: 'sha1', urlVariants: signalWireUrlVariants };
    return {
      authenticate(request) {
        // SignalWire sends X-SignalWire-Signature; X-Twilio-Signature is accepted as its alias.
        const signature = requireSignature(
          request.headers['x-signalwire-signature'] || request.headers['x-twilio-signature'],
          'X-SignalWire-Signature',
        );
        const { fields, keyGeneration } = verifyTwilioStyleCallback(request, signing, signature, 'X-SignalWire-Signature');
        return verifiedCallback({ fields, keyGeneration, providerAccount: projectId, accountField: { name: 'AccountSid', isWellFormed: isSignalWireId } });
      },
    };
  },

  parseCallback(callback, route): StatusEvent {
    const parsed = CompatCallbackSchema.safeParse(callback.fields);
    if (!parsed.success) {
      throw new MalformedCallbackError(`invalid SignalWire callback: ${describeIssues(parsed.error.issues)}`);
    }
    const params = parsed.data;
    return {
      provider: 'signalwire-compat',
      route,
      messageId: params.MessageSid,
      status: params.MessageStatus,
      ...(params.ErrorCode ? { errorCode: params.ErrorCode } : {}),
      ...(Number(params.NumMedia ?? '0') > 0 ? { hasMedia: true } : {}),
    };
  },
};

/** The error's `code` from a cXML API error body (Twilio-like `{ code, message, status }`). */
/** The compatibility API answers an unknown message with Twilio's 20404 error; any other 404 is a wrong space or project. */
const COMPAT_ERRORS: ProviderErrors = {
  name: 'SignalWire',
  isNotFound: (response) => twilioStyleErrorCode(response) === '20404',
};

function compatErrorCode(response: HttpResponse): string {
  const body = parseJsonObject(response.body) as { code?: unknown } | undefined;
  const code = body?.code;
  return typeof code === 'number' || (typeof code === 'string' && /^[\w.-]{1,40}$/.test(code)) ? String(code) : `http-${response.status}`;
}

// Pure: the receiver imports this file for its callback side, and the bundler may drop the redaction side.
export const signalWireCompatRedaction: RedactionProvider = /* @__PURE__ */ signalWireRedaction('signalwire-compat', redactCompatMessage);

async function redactCompatMessage(job: RedactionJob, context: RedactionContext, credentials: SignalWireCredentials): Promise<Outcome> {
  const origin = context.apiBaseUrl ?? credentials.spaceOrigin;
  const messageUrl = `${origin}/api/laml/2010-04-01/Accounts/${credentials.projectId}/Messages/${job.messageId}`;
  const headers = { authorization: basicAuth(credentials.projectId, credentials.apiToken), accept: 'application/json' };
  const now = context.now();

  // POST …/Messages/{Sid} with Body= (must be empty) redacts (SignalWire compatibility API, update a message; docs/providers.md).
  const answer = await sendOrClassify(context.http, { method: 'POST', url: messageUrl, headers: { ...headers, 'content-type': FORM }, body: 'Body=' });
  if ('kind' in answer) return answer;
  let outcome: Outcome;
  if (isSuccessStatus(answer.status)) {
    outcome = bodyIsEmpty(answer) ?? { kind: 'transient', code: 'unparseable-response' };
  } else if (answer.status === 400 || answer.status === 422) {
    // SignalWire refuses messages still in progress with a 4xx whose code is not documented: read the
    // message back to tell "not final yet" from a real rejection.
    outcome = await explainRefusal(messageUrl, headers, context, answer, now);
  } else {
    outcome = classifyByStatus(answer, compatErrorCode(answer), now, COMPAT_ERRORS);
  }
  // Media is deleted after the body, also when a previous attempt had already emptied the body.
  const bodyGone = outcome.kind === 'redacted' || outcome.kind === 'already-redacted';
  if (!bodyGone || !context.deleteMedia || job.media !== true) return outcome;
  const media = await deleteListedMedia({
    http: context.http,
    headers,
    firstPageUrl: `${messageUrl}/Media?PageSize=100`,
    origin,
    mediaUrl: (mediaSid) => `${messageUrl}/Media/${mediaSid}`,
    isMediaSid: isSignalWireId,
    classifyError: (response) => classifyByStatus(response, compatErrorCode(response), now, COMPAT_ERRORS),
  });
  return media.kind === 'redacted' ? outcome : media;
}

/** `redacted` when the returned message has an empty body, `rejected` when not, undefined if unreadable. */
function bodyIsEmpty(response: HttpResponse): Outcome | undefined {
  const message = parseJsonObject(response.body) as { body?: unknown } | undefined;
  if (message === undefined) return undefined;
  if (message.body === '' || message.body === null) return { kind: 'redacted' };
  return { kind: 'rejected', code: 'body-not-empty', reason: 'SignalWire answered 2xx but the body is not empty' };
}

async function explainRefusal(
  messageUrl: string,
  headers: Record<string, string>,
  context: RedactionContext,
  refusal: HttpResponse,
  now: Date,
): Promise<Outcome> {
  const code = compatErrorCode(refusal);
  const current = await sendOrClassify(context.http, { method: 'GET', url: messageUrl, headers });
  if ('kind' in current) return current;
  if (!isSuccessStatus(current.status)) return classifyByStatus(current, compatErrorCode(current), now, COMPAT_ERRORS);
  const message = parseJsonObject(current.body);
  if (message === undefined) return { kind: 'transient', code: 'unparseable-response' };
  if (message.body === '') return { kind: 'already-redacted' };
  if (typeof message.status === 'string' && SIGNALWIRE_IN_PROGRESS.has(message.status)) return { kind: 'not-final', code };
  return { kind: 'rejected', code, reason: `SignalWire refused the request (HTTP ${refusal.status})` };
}

/** The listing side: `GET /api/laml/2010-04-01/Accounts/{project}/Messages` (Twilio's list shape, PageSize up to 1000). */
export const signalWireCompatListing: ListingProvider = {
  provider: 'signalwire-compat',
  bindLister(secret, secretId): MessageLister {
    const credentials = parseSignalWireSecret(secret, secretId);
    const api = (context: ListContext): TwilioStyleList => ({
      origin: context.apiBaseUrl ?? credentials.spaceOrigin,
      path: `/api/laml/2010-04-01/Accounts/${credentials.projectId}/Messages`,
      authorization: basicAuth(credentials.projectId, credentials.apiToken),
      maxPageSize: 1000,
      isMessageId: isSignalWireId,
      classifyError: (response, now) => classifyByStatus(response, compatErrorCode(response), now, COMPAT_ERRORS),
    });
    return {
      listPage: (query, context) => listTwilioStylePage(api(context), query, context),
      fetchMessage: (id, context) => fetchTwilioStyleMessage(api(context), id, context),
    };
  },
};
