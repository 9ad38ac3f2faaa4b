import { createHash, createHmac } from 'node:crypto';
import * as z from 'zod/mini';
import { jsonCallbackBody } from '../core/callbacks/callback-request';
import { safeEqual } from '../core/callbacks/constant-time';
import { matchingKeyGeneration } from '../core/callbacks/key-generation';
import { AuthenticationError, MalformedCallbackError } from '../core/runtime/errors';
import type { StatusEvent } from '../core/callbacks/status-event';
import { verifiedCallback } from '../core/callbacks/verified-callback';
import { describeIssues } from '../core/config/zod-issues';
import type { CallbackProvider } from './provider';
import { vonageRedaction } from './vonage-redact';
import { vonageListing } from './vonage-reports';
import { parseVonageSigningKeys } from './vonage-secret';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Messages API messages are named by a UUID (`message_uuid`). */
export function isVonageMessageUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Oldest `iat` accepted, in seconds: a token older than this is a replay (or stuck in transit).
 * Vonage's webhook signatures "expire 5 minutes after" they are issued.
 */
export const VONAGE_JWT_MAX_AGE_SECONDS = 300;

/** How far in the future an `iat` may be (clock skew between Vonage and AWS). */
export const VONAGE_JWT_FUTURE_SKEW_SECONDS = 60;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function hs256(secret: string, signingInput: string): string {
  return createHmac('sha256', secret).update(signingInput, 'utf8').digest('base64url');
}

/** Lower-case hex SHA-256 of the raw body: the `payload_hash` claim. */
export function vonagePayloadHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * A Messages API webhook JWT, as Vonage sends it in `Authorization: Bearer …`: HS256 under the
 * signature secret, with `iat`, `jti`, `iss: "Vonage"`, `api_key`, `application_id` and
 * `payload_hash` (SHA-256 of the body). For the sandbox and tests.
 */
export function signVonageMessagesJwt(
  secret: string,
  body: Buffer | string,
  claims: { readonly apiKey: string; readonly iat: number; readonly applicationId?: string; readonly jti?: string },
): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      iat: claims.iat,
      jti: claims.jti ?? createHash('sha256').update(`${claims.iat}:${vonagePayloadHash(body)}`).digest('hex').slice(0, 32),
      iss: 'Vonage',
      payload_hash: vonagePayloadHash(body),
      api_key: claims.apiKey,
      ...(claims.applicationId === undefined ? {} : { application_id: claims.applicationId }),
    }),
  );
  return `${header}.${payload}.${hs256(secret, `${header}.${payload}`)}`;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A status webhook. It carries `to` and `from` (phone numbers): only ids, status and channel are read. */
const MessageStatusSchema = z.looseObject({
  message_uuid: z.string().check(z.regex(UUID, 'must be a UUID')),
  status: z.string().check(z.regex(/^[a-z_]{1,40}$/, 'must be a lower-case status word')),
  channel: z.optional(z.string().check(z.maxLength(40))),
  error: z.optional(z.looseObject({ type: z.optional(z.string()), title: z.optional(z.unknown()) })),
});

/** The Messages API's callback side, with an injectable clock for the `iat` window. */
export function createVonageMessagesCallbacks(options: { readonly now?: () => Date } = {}): CallbackProvider<'vonage-messages'> {
  const now = options.now ?? (() => new Date());
  return {
    provider: 'vonage-messages',

    bindVerifier(secret, secretId) {
      const { apiKey, secrets } = parseVonageSigningKeys(secret, secretId);
      return {
        authenticate(request) {
          const authorization = request.headers.authorization;
          if (authorization === undefined || authorization === '') throw new AuthenticationError('missing Authorization header (Messages API signed webhook)', 401);
          const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization);
          if (match === null) throw new AuthenticationError('Authorization is not a Bearer JWT');
          const [, header, payload, signature] = match as unknown as [string, string, string, string];
          // The algorithm is fixed, never read from the token alone: `none` or RS256 tricks are refused.
          if (decodeSegment(header)?.alg !== 'HS256') throw new AuthenticationError('JWT must be signed with HS256');
          const keyGeneration = matchingKeyGeneration(secrets, (key) => safeEqual(signature, hs256(key, `${header}.${payload}`)));
          if (keyGeneration === undefined) throw new AuthenticationError("JWT signature does not match (check the account's signature secret)");
          const claims = decodeSegment(payload);
          if (claims === undefined) throw new AuthenticationError('JWT claims are not a JSON object');
          const nowSeconds = now().getTime() / 1000;
          if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw new AuthenticationError('JWT has no iat claim');
          if (nowSeconds - claims.iat > VONAGE_JWT_MAX_AGE_SECONDS) {
            throw new AuthenticationError(`JWT was issued more than ${VONAGE_JWT_MAX_AGE_SECONDS} s ago (replayed or delayed webhook)`);
          }
          if (claims.iat - nowSeconds > VONAGE_JWT_FUTURE_SKEW_SECONDS) throw new AuthenticationError('JWT iat is in the future');
          if (typeof claims.exp === 'number' && nowSeconds > claims.exp) throw new AuthenticationError('JWT has expired');
          if (typeof claims.payload_hash !== 'string') throw new AuthenticationError('JWT has no payload_hash claim');
          // Over the raw bytes: what is parsed below is exactly what was hashed.
          if (!safeEqual(claims.payload_hash.toLowerCase(), vonagePayloadHash(request.body))) {
            throw new AuthenticationError('payload_hash does not match the body (tampered, or not the raw body)');
          }
          if (typeof claims.api_key === 'string' && claims.api_key !== apiKey) {
            throw new AuthenticationError('callback is for a different provider account than this route');
          }
          return verifiedCallback({ fields: jsonCallbackBody(request), keyGeneration, providerAccount: apiKey });
        },
      };
    },

    parseCallback(callback, route): StatusEvent<'vonage-messages'> {
      const parsed = MessageStatusSchema.safeParse(callback.fields);
      if (!parsed.success) throw new MalformedCallbackError(`invalid Vonage message status: ${describeIssues(parsed.error.issues)}`);
      const message = parsed.data;
      // `error.type` ends in the error's code (`…/api-errors/messages#1000`).
      const type = message.error?.type;
      const errorCode = typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined;
      return {
        provider: 'vonage-messages',
        route,
        messageId: message.message_uuid,
        status: message.status,
        ...(errorCode !== undefined && /^[\w.-]{1,40}$/.test(errorCode) ? { errorCode } : {}),
        ...(message.channel === 'mms' ? { hasMedia: true } : {}),
      };
    },
  };
}

export const vonageMessagesCallbacks: CallbackProvider<'vonage-messages'> = /* @__PURE__ */ createVonageMessagesCallbacks();

/** Redact API with `product: "messages"`. */
export const vonageMessagesRedaction = /* @__PURE__ */ vonageRedaction('vonage-messages', 'messages', isVonageMessageUuid);

/** Reports API with `product=MESSAGES`. */
export const vonageMessagesListing = /* @__PURE__ */ vonageListing('vonage-messages', 'MESSAGES', isVonageMessageUuid);
