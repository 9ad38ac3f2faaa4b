import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's webhook signature (also used by SignalWire's compatibility API): base64 HMAC-SHA1 over the
 * URL followed by every POST parameter as `key + value`, keys sorted, repeated keys' values sorted.
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
export function computeTwilioSignature(key: string, url: string, params: ReadonlyArray<readonly [string, string]>): string {
  return computeHmac(key, url + concatParams(sortParams(params)));
}

/** base64 HMAC-SHA1 of one string (a single update: each call into the native hash costs more than the bytes). */
function computeHmac(key: string, data: string): string {
  return createHmac('sha1', key).update(data, 'utf8').digest('base64');
}

/** `key + value` of every param, in the order given. */
function concatParams(orderedParams: ReadonlyArray<readonly [string, string]>): string {
  let data = '';
  for (const [name, value] of orderedParams) data += name + value;
  return data;
}

/** Form parameters decoded from a raw `application/x-www-form-urlencoded` body, repeats kept. */
export function formParams(body: Buffer): Array<[string, string]> {
  return [...new URLSearchParams(body.toString('utf8'))];
}

/**
 * Whether `header` is a valid Twilio-style signature of a form POST under any of `keys`.
 * Tries the URL as received first, then with the default port added or removed, as twilio-node's
 * `validateRequest` does (Twilio may sign either form). Each comparison is constant time; stopping
 * at the first match only reveals which public URL form or which key generation matched, never a
 * byte of the expected signature.
 */
export function isValidFormSignature(
  keys: readonly string[],
  header: string,
  url: string,
  params: ReadonlyArray<readonly [string, string]>,
): boolean {
  // The params part of the signed string is the same for every key and URL: build it once.
  const paramStrings = hasRepeatedKeys(params) ? repeatedKeyVariants(params) : [concatParams(sortParams(params))];
  for (const candidate of urlCandidates(url)) {
    for (const key of keys) {
      for (const paramString of paramStrings) {
        if (safeEqual(header, computeHmac(key, candidate + paramString))) return true;
      }
    }
  }
  return false;
}

/**
 * The JSON-body variant: Twilio signs the URL (which carries `bodySHA256`) with no parameters, and
 * the body is checked against that hex SHA-256.
 */
export function isValidJsonSignature(keys: readonly string[], header: string, url: string, body: Buffer): boolean {
  const expectedHash = new URL(url).searchParams.get('bodySHA256') ?? '';
  const bodyMatches = safeEqual(expectedHash.toLowerCase(), createHash('sha256').update(body).digest('hex'));
  return isValidFormSignature(keys, header, url, []) && bodyMatches;
}

/** Whether the URL asks for the JSON-body variant. */
export function usesBodyHash(url: string): boolean {
  const query = url.indexOf('?');
  return query !== -1 && new URLSearchParams(url.slice(query + 1)).has('bodySHA256');
}

/** Test and sandbox helper: the `X-Twilio-Signature` value Twilio would send for a form POST. */
export function signTwilioForm(key: string, url: string, params: ReadonlyArray<readonly [string, string]>): string {
  return computeTwilioSignature(key, url, params);
}

/**
 * Test and sandbox helper for the JSON variant: returns the URL with `bodySHA256` appended and the
 * signature over it.
 */
export function signTwilioJson(key: string, url: string, body: string | Buffer): { url: string; signature: string } {
  const hash = createHash('sha256').update(body).digest('hex');
  const signedUrl = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
  return { url: signedUrl, signature: computeTwilioSignature(key, signedUrl, []) };
}

/**
 * Constant-time comparison for values whose length is itself secret (tokens, Basic credentials):
 * both sides are hashed first, so neither timing nor an early length check reveals anything.
 */
export function safeEqualSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a, 'utf8').digest(), createHash('sha256').update(b, 'utf8').digest());
}

/** Constant-time comparison of a received signature with an expected one of public, fixed length. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // The expected length is fixed by the algorithm and not secret, so a length check may return early.
  return left.length === right.length && timingSafeEqual(left, right);
}

function sortParams(params: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> {
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
function repeatedKeyVariants(params: ReadonlyArray<readonly [string, string]>): string[] {
  return [
    concatParams(sortParams(params)),
    concatParams(sortParams(uniquePairs(params))),
    concatParams([...params].sort(([a], [b]) => compare(a, b))),
  ];
}

function hasRepeatedKeys(params: ReadonlyArray<readonly [string, string]>): boolean {
  return new Set(params.map(([k]) => k)).size !== params.length;
}

/** twilio-node drops identical repeated values before signing; accept that form as well. */
function uniquePairs(params: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> {
  const seen = new Set<string>();
  return params.filter(([k, v]) => {
    const id = `${k}\u0000${v}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The URL as received plus its default-port twin (`:443` for https, `:80` for http). */
export function urlCandidates(url: string): string[] {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const portStart = authority.indexOf(':', authority.lastIndexOf(']') + 1);
  const host = portStart === -1 ? authority : authority.slice(0, portStart);
  const port = portStart === -1 ? '' : authority.slice(portStart + 1);
  const defaultPort = scheme.toLowerCase() === 'https://' ? '443' : '80';
  if (port === '') return [url, `${scheme}${host}:${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${scheme}${host}${rest}`];
  return [url];
}
