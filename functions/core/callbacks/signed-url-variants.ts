import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';

/**
 * The URL forms the providers' official validators accept a signature over. Providers sign the URL
 * they called, but a proxy, a custom domain or the provider's own back end may add or drop the port,
 * change the host's case or re-encode the path and query on the way. Every form is still an HMAC under
 * the account's key over the same resource, so accepting the forms the official helpers accept is no
 * weaker than using those helpers.
 */

interface UrlParts {
  /** `https://`, as written. */
  readonly scheme: string;
  /** `user:pass@` or empty. */
  readonly userInfo: string;
  readonly host: string;
  /** `:8443`, `:` or empty. */
  readonly port: string;
  /** Path, query and fragment, byte for byte. */
  readonly rest: string;
}

/** Splits the authority off without normalising anything, so the rest keeps the exact bytes signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (match === null) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function join(parts: UrlParts, port: string): string {
  return `${parts.scheme}${parts.userInfo}${parts.host}${port}${parts.rest}`;
}

function defaultPort(parts: UrlParts): string {
  return parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
}

/** The URL with any port removed. */
function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts === undefined ? url : join(parts, '');
}

/** The URL with the scheme's default port added when it has none; unchanged otherwise. */
function withPort(url: string): string {
  const parts = splitUrl(url);
  return parts === undefined || parts.port !== '' ? url : join(parts, defaultPort(parts));
}

/** The query string as Node's legacy `querystring` module re-encodes it (`'` becomes `%27`, …). */
function withLegacyQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1 || start === url.length - 1) return url;
  return `${url.slice(0, start)}?${stringifyQuery(parseQuery(url.slice(start + 1)))}`;
}

function* unique(urls: Iterable<string>): Generator<string> {
  const seen = new Set<string>();
  for (const url of urls) {
    if (seen.has(url)) continue;
    seen.add(url);
    yield url;
  }
}

/**
 * twilio-node 6.3 `validateRequest`, in its order: the URL as received without any port and with the
 * default port added; then, only if those fail, the WHATWG-normalised URL (`new URL(url).href`: host
 * lower-cased, default port dropped, path and query percent-encoded) the same two ways, each also with
 * the query re-encoded by the legacy `querystring` module. Lazy, so a valid callback costs one HMAC.
 */
export function twilioUrlVariants(url: string): Iterable<string> {
  return unique(twilioUrlForms(url));
}

function* twilioUrlForms(url: string): Generator<string> {
  yield withoutPort(url);
  yield withPort(url);
  let normalised: string;
  try {
    normalised = new URL(url).href;
  } catch {
    // twilio-node throws here; an unparseable URL simply has no normalised form.
    return;
  }
  const bare = withoutPort(normalised);
  const ported = withPort(normalised);
  yield bare;
  yield ported;
  yield withLegacyQuery(bare);
  yield withLegacyQuery(ported);
}

/**
 * @signalwire/compatibility-api `validateRequest`: it parses the URL with `url-parse`, which lower-cases
 * the scheme and host, drops an empty or default port and turns an empty path into `/`, then tries the
 * URL with the default port added (a non-default port kept) and without any port. The URL as received,
 * with and without its port, is tried first, as this receiver always has.
 */
export function signalWireUrlVariants(url: string): Iterable<string> {
  return unique(signalWireUrlForms(url));
}

function* signalWireUrlForms(url: string): Generator<string> {
  yield withoutPort(url);
  yield withPort(url);
  const parts = splitUrl(url);
  if (parts === undefined) return;
  const port = parts.port === ':' || parts.port === defaultPort(parts) ? '' : parts.port;
  const path = parts.rest.startsWith('/') ? parts.rest : `/${parts.rest}`;
  const sdkForm = `${parts.scheme.toLowerCase()}${parts.userInfo}${parts.host.toLowerCase()}${port}${path}`;
  yield withPort(sdkForm);
  yield withoutPort(sdkForm);
}
