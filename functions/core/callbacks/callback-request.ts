import { MalformedCallbackError } from '../runtime/errors';

/**
 * An incoming status callback as the provider sent it, independent of API Gateway or a local server.
 * Authentication works on these raw bytes; nothing is parsed before the signature matches.
 */
export interface CallbackRequest {
  readonly method: string;
  /**
   * The URL the provider called, as it signed it: scheme, host, path and the raw query string exactly
   * as sent (the account's `publicUrl` when configured).
   */
  readonly url: string;
  /** Header names lower-cased (API Gateway v2 already does so). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes (base64-decoded when API Gateway marked it so). */
  readonly body: Buffer;
}

/** The media type of a request, without parameters, lower-cased (`application/json`). */
export function mediaTypeOf(request: CallbackRequest): string {
  return (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * The body of a JSON callback as an object. Answers 415 for another media type and 400 for a body
 * that is not a JSON object; never quotes the body.
 */
export function jsonCallbackBody(request: CallbackRequest): Record<string, unknown> {
  if (mediaTypeOf(request) !== 'application/json') throw new MalformedCallbackError('callback must be application/json', 415);
  try {
    const value = JSON.parse(request.body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below without the parser's message, which would quote the body.
  }
  throw new MalformedCallbackError('callback body must be a JSON object');
}
