import * as z from 'zod/mini';
import { SecretShapeError } from '../core/runtime/errors';
import { parseSecret } from '../core/secrets/parse-secret';

/** Vonage API origin (Redact and Reports APIs). */
export const VONAGE_API_BASE_URL = 'https://api.nexmo.com';

/**
 * The SMS API's signature methods, as the Vonage dashboard names them ("MD5 hash" is the default).
 * The Messages API ignores this setting: its webhooks are always signed with HS256.
 */
export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5hmac', 'sha1hmac', 'sha256hmac', 'sha512hmac'] as const;

export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

/** Vonage API keys are 8 characters (the Reports API's `account_id` is the API key, length 8). */
const API_KEY = /^[A-Za-z0-9]{8}$/;

export function isVonageApiKey(value: string): boolean {
  return API_KEY.test(value);
}

const signatureSecret = (what: string) => z.string().check(z.minLength(16, `must be the ${what} (at least 16 characters)`));

/** The fields that verify callbacks: all a signing secret (the account's `signingSecretId`) holds. */
const VonageSigningSchema = z.object({
  apiKey: z.string().check(z.regex(API_KEY, 'must be the 8-character Vonage API key')),
  signatureSecret: signatureSecret('signature secret from the dashboard'),
  /** Default `md5hash`, Vonage's default for signed SMS webhooks. */
  signatureMethod: z.optional(z.enum(VONAGE_SIGNATURE_METHODS)),
  previousSignatureSecret: z.optional(signatureSecret('previous signature secret')),
});

/**
 * Secrets Manager JSON for a Vonage account, shared by the SMS and Messages APIs. `apiKey` and
 * `apiSecret` authenticate the Redact and Reports APIs (Basic auth); `signatureSecret` (not the API
 * secret) signs webhooks; `previousSignatureSecret` keeps callbacks valid while the secret is changed.
 */
export const VonageSecretSchema = /* @__PURE__ */ z.object({
  ...VonageSigningSchema.shape,
  apiSecret: z.string().check(z.minLength(8, 'must be the Vonage API secret')),
});

export interface VonageSigningKeys {
  readonly apiKey: string;
  readonly method: VonageSignatureMethod;
  /** Current first, then the previous secret during rotation. */
  readonly secrets: readonly string[];
}

export interface VonageCredentials extends VonageSigningKeys {
  readonly apiSecret: string;
}

/** The API key and signature secrets, from a signing secret or the full secret (other fields unread). */
export function parseVonageSigningKeys(secret: unknown, secretId: string): VonageSigningKeys {
  return signingKeysOf(parseSecret(VonageSigningSchema, secret, secretId), secretId);
}

export function parseVonageSecret(secret: unknown, secretId: string): VonageCredentials {
  const parsed = parseSecret(VonageSecretSchema, secret, secretId);
  return { ...signingKeysOf(parsed, secretId), apiSecret: parsed.apiSecret };
}

function signingKeysOf(parsed: z.infer<typeof VonageSigningSchema>, secretId: string): VonageSigningKeys {
  if (parsed.previousSignatureSecret === parsed.signatureSecret) {
    throw new SecretShapeError(secretId, 'previousSignatureSecret must differ from signatureSecret');
  }
  return {
    apiKey: parsed.apiKey,
    method: parsed.signatureMethod ?? 'md5hash',
    secrets: parsed.previousSignatureSecret === undefined ? [parsed.signatureSecret] : [parsed.signatureSecret, parsed.previousSignatureSecret],
  };
}
