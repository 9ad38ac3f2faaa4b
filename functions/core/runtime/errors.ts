/**
 * Typed errors, classified once: each says whether a retry can help and which HTTP status it maps to
 * when it reaches the receiver. Messages are short and fixed; they never echo a secret, a signature,
 * a phone number or a message body.
 */
export class RedactorError extends Error {
  // Names are spelled out rather than taken from the class: bundles are minified without keepNames.
  override name = 'RedactorError';
  /** Whether doing the same thing again later can succeed. */
  readonly retryable: boolean;
  /** HTTP status the receiver answers with when this error ends a request. */
  readonly httpStatus: number;

  constructor(message: string, options: { retryable: boolean; httpStatus: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.httpStatus = options.httpStatus;
  }
}

/** The deployment's configuration (accounts, environment) is wrong. Fails loudly, never retried. */
export class ConfigError extends RedactorError {
  override name = 'ConfigError';
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, httpStatus: 500, cause });
  }
}

/** A secret could not be loaded (network, throttling, permissions): a later retry may succeed. */
export class SecretUnavailableError extends RedactorError {
  override name = 'SecretUnavailableError';
  constructor(secretId: string, cause?: unknown) {
    super(`secret ${secretId} could not be loaded`, { retryable: true, httpStatus: 503, cause });
  }
}

/** A secret was loaded but does not have the documented shape. The message names fields, never values. */
export class SecretShapeError extends RedactorError {
  override name = 'SecretShapeError';
  constructor(secretId: string, problems: string) {
    super(`secret ${secretId} is malformed: ${problems}`, { retryable: false, httpStatus: 500 });
  }
}

/** The callback could not be authenticated. Fail closed. */
export class AuthenticationError extends RedactorError {
  override name = 'AuthenticationError';
  constructor(message: string, httpStatus: 401 | 403 = 403) {
    super(message, { retryable: false, httpStatus });
  }
}

/** The callback is authentic but its content is not what the provider documents. */
export class MalformedCallbackError extends RedactorError {
  override name = 'MalformedCallbackError';
  constructor(message: string, httpStatus: 400 | 413 | 415 = 400) {
    super(message, { retryable: false, httpStatus });
  }
}

/** The provider API could not be reached or did not answer in time. */
export class HttpTransportError extends RedactorError {
  override name = 'HttpTransportError';
  /** Stable code for logs and DLQ attributes (e.g. `timeout`, `ECONNRESET`). */
  readonly code: string;

  constructor(code: string, cause?: unknown) {
    super(`provider API request failed: ${code}`, { retryable: true, httpStatus: 502, cause });
    this.code = code;
  }
}

/**
 * The record's time budget ran out before this provider request started: the invocation is about to
 * end. Classified like a transport failure (transient, code `deadline`), so the record is retried
 * soon by a fresh invocation instead of being cut off mid-job by the function timeout.
 */
export class DeadlineExceededError extends HttpTransportError {
  override name = 'DeadlineExceededError';
  static readonly CODE = 'deadline';

  constructor() {
    super(DeadlineExceededError.CODE);
  }
}

/**
 * A Twilio subaccount's auth token (which verifies its callbacks) could not be fetched with its
 * parent's credentials. Retryable (503) when the network or Twilio failed; not (500) when Twilio
 * refused the parent's credentials or knows no such subaccount under it: a configuration to fix.
 * Fail closed either way: no callback of that subaccount is accepted meanwhile.
 */
export class SubaccountTokenError extends RedactorError {
  override name = 'SubaccountTokenError';
  /** Stable code for logs (`http-401`, `http-404`, `timeout`, `no-auth-token`, …). */
  readonly code: string;

  constructor(subaccountSid: string, code: string, retryable: boolean, cause?: unknown) {
    super(`the auth token of subaccount ${subaccountSid} could not be fetched with its parent's credentials (${code})`, {
      retryable,
      httpStatus: retryable ? 503 : 500,
      cause,
    });
    this.code = code;
  }
}
