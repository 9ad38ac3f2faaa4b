import { createHash, createHmac } from 'node:crypto';
import { jsonCallbackBody, mediaTypeOf, type CallbackRequest } from '../core/callbacks/callback-request';
import { safeEqual } from '../core/callbacks/constant-time';
import { keyGenerationAt, type KeyGeneration } from '../core/callbacks/key-generation';
import { AuthenticationError } from '../core/runtime/errors';

/**
 * The Twilio-style webhook signature, shared by Twilio and SignalWire's compatibility API (each with its
 * own keys, header and URL handling): base64 HMAC over the URL followed by every POST parameter as
 * `key + value`, keys sorted, repeated keys' values sorted. JSON callbacks carry `bodySHA256` in the URL
 * instead and sign the URL alone. https://www.twilio.com/docs/usage/security#validating-requests
 */

const FORM = 'application/x-www-form-urlencoded';

/** The HMAC's hash: SHA-1 by default; Twilio's SharedKey webhooks may use SHA-256. */
export type TwilioSignatureAlgorithm = 'sha1' | 'sha256';

/** How one account's Twilio-style signatures are checked. */
export interface TwilioStyleSigning {
  /** Signing keys: the current one first, then the previous one during rotation. */
  readonly keys: readonly string[];
  readonly algorithm: TwilioSignatureAlgorithm;
  /** The URL forms the provider's official validator accepts a signature over (signed-url-variants). */
  readonly urlVariants: (url: string) => Iterable<string>;
}

type Params = ReadonlyArray<readonly [string, string]>;

/** The Twilio-style signature of a form POST (the sandbox and tests sign with it too). */
export function computeTwilioSignature(key: string, url: string, params: Params, algorithm: TwilioSignatureAlgorithm = 'sha1'): string {
  return computeHmac(key, algorithm, url + concatParams(sortParams(params)));
}

/** Base64 HMAC of one string (a single update: each call into the native hash costs more than the bytes). */
function computeHmac(key: string, algorithm: TwilioSignatureAlgorithm, data: string): string {
  return createHmac(algorithm, key).update(data, 'utf8').digest('base64');
}

/** `key + value` of every param, in the order given. */
function concatParams(orderedParams: Params): string {
  let data = '';
  for (const [name, value] of orderedParams) data += name + value;
  return data;
}

/** Form parameters decoded from a raw `application/x-www-form-urlencoded` body, repeats kept. */
export function formParams(body: Buffer): Array<[string, string]> {
  return [...new URLSearchParams(body.toString('utf8'))];
}

/** The signature header's value, or a 401 naming the header when it is missing or empty. */
export function requireSignature(value: string | undefined, headerName: string): string {
  if (value === undefined || value === '') throw new AuthenticationError(`missing ${headerName} header`, 401);
  return value;
}

/**
 * Verifies a Twilio-style signed callback and returns its signed fields, parsed from the verified bytes
 * only: the form parameters (the first value of a repeated key), or the JSON object of the `bodySHA256`
 * variant, and which key generation signed them. A form signature on a body that is not form-encoded
 * never matches.
 * @throws AuthenticationError 403 when the signature matches no key and URL form
 * @throws MalformedCallbackError 415/400 when a verified JSON body is not a JSON object
 */
export function verifyTwilioStyleCallback(
  request: CallbackRequest,
  signing: TwilioStyleSigning,
  signature: string,
  headerName: string,
): { fields: Record<string, unknown>; keyGeneration: KeyGeneration } {
  if (usesBodyHash(request.url)) {
    const keyGeneration = matchJsonSignature(signing, signature, request.url, request.body);
    if (keyGeneration === undefined) throw mismatch(headerName);
    return { fields: jsonCallbackBody(request), keyGeneration };
  }
  const params = mediaTypeOf(request) === FORM ? formParams(request.body) : undefined;
  const keyGeneration = params === undefined ? undefined : matchFormSignature(signing, signature, request.url, params);
  if (params === undefined || keyGeneration === undefined) throw mismatch(headerName);
  return { fields: firstValues(params), keyGeneration };
}

function mismatch(headerName: string): AuthenticationError {
  return new AuthenticationError(`${headerName} does not match (check the account's publicUrl and signing secret)`);
}

/** One value per key, the first received; an own property even for `__proto__`. */
function firstValues(params: Params): Record<string, string> {
  const first = new Map<string, string>();
  for (const [key, value] of params) if (!first.has(key)) first.set(key, value);
  return Object.fromEntries(first);
}

/**
 * The key generation under which `header` is a valid Twilio-style signature of a form POST, for any of
 * the URL forms; undefined when none. Each comparison is constant time; stopping at the first match
 * reveals only which public URL form or which key generation matched, never a byte of the expected
 * signature.
 */
export function matchFormSignature(signing: TwilioStyleSigning, header: string, url: string, params: Params): KeyGeneration | undefined {
  // The params part of the signed string is the same for every key and URL: build it once.
  const paramStrings = hasRepeatedKeys(params) ? repeatedKeyVariants(params) : [concatParams(sortParams(params))];
  for (const candidate of signing.urlVariants(url)) {
    for (const [index, key] of signing.keys.entries()) {
      for (const paramString of paramStrings) {
        if (safeEqual(header, computeHmac(key, signing.algorithm, candidate + paramString))) return keyGenerationAt(index);
      }
    }
  }
  return undefined;
}

/**
 * The JSON-body variant: the URL (which carries `bodySHA256`) is signed with no parameters, and the body
 * must hash to that hex SHA-256. Compared case-sensitively, as twilio-node does: Twilio sends lower case.
 */
export function matchJsonSignature(signing: TwilioStyleSigning, header: string, url: string, body: Buffer): KeyGeneration | undefined {
  const bodyMatches = safeEqual(bodyHashParam(url) ?? '', createHash('sha256').update(body).digest('hex'));
  const keyGeneration = matchFormSignature(signing, header, url, []);
  return bodyMatches ? keyGeneration : undefined;
}

/** Whether the URL asks for the JSON-body variant. */
export function usesBodyHash(url: string): boolean {
  return bodyHashParam(url) !== undefined;
}

function bodyHashParam(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  const fragment = url.indexOf('#', query);
  return new URLSearchParams(url.slice(query + 1, fragment === -1 ? undefined : fragment)).get('bodySHA256') ?? undefined;
}

/** Test and sandbox helper: the `X-Twilio-Signature` value Twilio would send for a form POST. */
export function signTwilioForm(key: string, url: string, params: Params, options: { readonly algorithm?: TwilioSignatureAlgorithm } = {}): string {
  return computeTwilioSignature(key, url, params, options.algorithm);
}

/**
 * Test and sandbox helper for the JSON variant: returns the URL with `bodySHA256` appended and the
 * signature over it.
 */
export function signTwilioJson(
  key: string,
  url: string,
  body: string | Buffer,
  options: { readonly algorithm?: TwilioSignatureAlgorithm } = {},
): { url: string; signature: string } {
  const hash = createHash('sha256').update(body).digest('hex');
  const signedUrl = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
  return { url: signedUrl, signature: computeTwilioSignature(key, signedUrl, [], options.algorithm) };
}

function sortParams(params: Params): Array<readonly [string, string]> {
  return [...params].sort(([ka, va], [kb, vb]) => compare(ka, kb) || compare(va, vb));
}

function compare(a: string, b: string): number {
  // Code-unit order, like Array.prototype.sort() in twilio-node; not locale order.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Implementations disagree on repeated keys: Twilio sorts their values, twilio-node also drops
 * identical ones, SignalWire's validator keeps them in the order received. All three are HMACs under
 * the same secret, so accepting each is no weaker than accepting one.
 */
function repeatedKeyVariants(params: Params): string[] {
  return [
    concatParams(sortParams(params)),
    concatParams(sortParams(uniquePairs(params))),
    concatParams([...params].sort(([a], [b]) => compare(a, b))),
  ];
}

function hasRepeatedKeys(params: Params): boolean {
  return new Set(params.map(([k]) => k)).size !== params.length;
}

/** twilio-node drops identical repeated values before signing; accept that form as well. */
function uniquePairs(params: Params): Array<readonly [string, string]> {
  const seen = new Set<string>();
  return params.filter(([k, v]) => {
    const id = `${k}\u0000${v}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
