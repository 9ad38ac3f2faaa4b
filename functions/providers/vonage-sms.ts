import { createHash, createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { mediaTypeOf, type CallbackRequest } from '../core/callbacks/callback-request';
import { safeEqual } from '../core/callbacks/constant-time';
import { matchingKeyGeneration } from '../core/callbacks/key-generation';
import { AuthenticationError, MalformedCallbackError } from '../core/runtime/errors';
import type { StatusEvent } from '../core/callbacks/status-event';
import { verifiedCallback } from '../core/callbacks/verified-callback';
import { describeIssues } from '../core/config/zod-issues';
import type { CallbackProvider } from './provider';
import { vonageRedaction } from './vonage-redact';
import { vonageListing } from './vonage-reports';
import { isVonageApiKey, parseVonageSigningKeys, type VonageSignatureMethod } from './vonage-secret';

/**
 * SMS API message ids are hexadecimal (`0C0000002EEBDA56` in delivery receipts, 32 digits in the
 * Redact API's example). The exact format is not documented: a wrong guess refuses the callback (400).
 */
const SMS_MESSAGE_ID = /^[0-9A-Fa-f]{16,40}$/;

export function isVonageSmsMessageId(value: string): boolean {
  return SMS_MESSAGE_ID.test(value);
}

/**
 * How far a signed delivery receipt's `timestamp` may be from now, either way. Vonage signs each
 * request with its send time; a receipt older than this is a replay (or stuck in transit) and is
 * refused. Vonage documents no window of its own: five minutes, as Stripe and Standard Webhooks use.
 */
export const VONAGE_SMS_TIMESTAMP_TOLERANCE_SECONDS = 300;

/**
 * The string an SMS API signature covers: every parameter but `sig`, keys sorted, as `&key=value`,
 * with `&` and `=` in values replaced by `_` (Vonage, "Signing messages", manual signature generation).
 */
export function vonageSmsSignatureBase(params: Readonly<Record<string, string>>): string {
  let base = '';
  for (const key of Object.keys(params).filter((name) => name !== 'sig').sort()) {
    base += `&${key}=${params[key]!.replace(/[&=]/g, '_')}`;
  }
  return base;
}

/**
 * The `sig` of a signed SMS API webhook, lower-case hex: MD5 of the base followed by the secret
 * (`md5hash`), or an HMAC of the base keyed by the secret. Vonage sends hex in either case; the check
 * ignores case.
 */
export function signVonageSms(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod): string {
  const base = vonageSmsSignatureBase(params);
  // `md5hmac` → HMAC-MD5, `sha256hmac` → HMAC-SHA256, …: the method names the digest.
  return (method === 'md5hash' ? createHash('md5').update(base + secret, 'utf8') : createHmac(method.slice(0, -4), secret).update(base, 'utf8')).digest('hex');
}

/**
 * The parameters of a delivery receipt: the query string and the body (form, or JSON when the
 * dashboard's webhook method is POST-JSON), merged as Vonage's own SDK verifies them. A repeated
 * parameter, or a JSON value that is not a scalar, is refused: either could make two readers disagree.
 */
function receiptParams(request: CallbackRequest): Record<string, string> {
  // No prototype: a parameter named `__proto__` is a plain key, signed and compared like any other.
  const params = Object.create(null) as Record<string, string>;
  const put = (key: string, value: string) => {
    if (Object.hasOwn(params, key)) throw new MalformedCallbackError('delivery receipt repeats a parameter');
    params[key] = value;
  };
  const query = request.url.indexOf('?');
  if (query !== -1) for (const [key, value] of new URLSearchParams(request.url.slice(query + 1))) put(key, value);
  const type = mediaTypeOf(request);
  if (type === 'application/x-www-form-urlencoded') {
    for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) put(key, value);
  } else if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(request.body.toString('utf8'));
    } catch {
      // Reported below without the parser's message, which would quote the body.
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedCallbackError('callback body must be a JSON object');
    for (const [key, field] of Object.entries(value)) {
      if (typeof field === 'string') put(key, field);
      else if (typeof field === 'number' || typeof field === 'boolean') put(key, String(field));
      else if (field !== null) throw new MalformedCallbackError('delivery receipt fields must be strings or numbers');
    }
  } else if (request.body.length > 0) {
    throw new MalformedCallbackError('callback must be application/x-www-form-urlencoded or application/json', 415);
  }
  return params;
}

/** A delivery receipt. It carries `msisdn` and `to` (phone numbers): only ids and status are read. */
const DeliveryReceiptSchema = z.looseObject({
  messageId: z.string().check(z.regex(SMS_MESSAGE_ID, 'must be a hexadecimal SMS message id')),
  status: z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word')),
  'err-code': z.optional(z.string().check(z.maxLength(40))),
  'api-key': z.optional(z.string()),
});

/** The SMS API's callback side, with an injectable clock for the timestamp window. */
export function createVonageSmsCallbacks(options: { readonly now?: () => Date } = {}): CallbackProvider<'vonage-sms'> {
  const now = options.now ?? (() => new Date());
  return {
    provider: 'vonage-sms',

    bindVerifier(secret, secretId) {
      const { apiKey, method, secrets } = parseVonageSigningKeys(secret, secretId);
      return {
        authenticate(request) {
          const params = receiptParams(request);
          const sig = params.sig;
          if (sig === undefined || sig === '') throw new AuthenticationError('missing sig parameter (enable signed webhooks for the account)', 401);
          const keyGeneration = matchingKeyGeneration(secrets, (key) => safeEqual(sig.toLowerCase(), signVonageSms(params, key, method)));
          if (keyGeneration === undefined) throw new AuthenticationError("sig does not match (check the account's signature secret and signatureMethod)");
          const timestamp = params.timestamp;
          if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) throw new AuthenticationError('signed delivery receipt has no unix timestamp');
          const skew = Math.abs(now().getTime() / 1000 - Number(timestamp));
          if (skew > VONAGE_SMS_TIMESTAMP_TOLERANCE_SECONDS) {
            throw new AuthenticationError(`timestamp is more than ${VONAGE_SMS_TIMESTAMP_TOLERANCE_SECONDS} s from now (replayed or delayed receipt)`);
          }
          const { sig: _sig, ...fields } = params;
          return verifiedCallback({ fields, keyGeneration, providerAccount: apiKey, accountField: { name: 'api-key', isWellFormed: isVonageApiKey } });
        },
      };
    },

    parseCallback(callback, route): StatusEvent<'vonage-sms'> {
      const parsed = DeliveryReceiptSchema.safeParse(callback.fields);
      if (!parsed.success) throw new MalformedCallbackError(`invalid Vonage delivery receipt: ${describeIssues(parsed.error.issues)}`);
      const receipt = parsed.data;
      const errorCode = receipt['err-code'];
      return {
        provider: 'vonage-sms',
        route,
        messageId: receipt.messageId,
        status: receipt.status,
        ...(errorCode !== undefined && errorCode !== '0' && /^\d+$/.test(errorCode) ? { errorCode } : {}),
      };
    },
  };
}

export const vonageSmsCallbacks: CallbackProvider<'vonage-sms'> = /* @__PURE__ */ createVonageSmsCallbacks();

/** Redact API with `product: "sms"`. */
export const vonageSmsRedaction = /* @__PURE__ */ vonageRedaction('vonage-sms', 'sms', isVonageSmsMessageId);

/** Reports API with `product=SMS`. */
export const vonageSmsListing = /* @__PURE__ */ vonageListing('vonage-sms', 'SMS', isVonageSmsMessageId);
