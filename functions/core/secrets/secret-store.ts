import { parseSecretText } from './parse-secret';
import { SecretShapeError, SecretUnavailableError } from '../runtime/errors';

/** Reads an account's credentials (parsed JSON). */
export interface SecretStore {
  /**
   * @throws SecretUnavailableError when it cannot be fetched (retryable),
   *         SecretShapeError when it is not a JSON object.
   */
  get(secretId: string): Promise<unknown>;
  /** Drops the cached value so the next `get` fetches it again (after a 401 from the provider). */
  invalidate(secretId: string): void;
}

export interface CachedSecretStoreOptions {
  /** Fetches the secret's text (Secrets Manager `SecretString`, a local file, …). */
  readonly fetch: (secretId: string) => Promise<string>;
  /** How long a value is served from memory. Rotation takes effect within this time. */
  readonly maxAgeMs: number;
  readonly now?: () => number;
}

/**
 * Caches secrets per execution environment with an explicit max age. Concurrent gets of the same
 * secret share one fetch; a failed fetch is not cached. While cached, the same object is returned,
 * so callers may memoise work derived from it (a bound verifier) by identity.
 */
export class CachedSecretStore implements SecretStore {
  readonly #fetch: (secretId: string) => Promise<string>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { expiresAt: number; value: Promise<unknown> }>();

  constructor(options: CachedSecretStoreOptions) {
    this.#fetch = options.fetch;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  get(secretId: string): Promise<unknown> {
    const now = this.#now();
    const cached = this.#entries.get(secretId);
    if (cached !== undefined && cached.expiresAt > now) return cached.value;
    const value = this.#load(secretId);
    this.#entries.set(secretId, { expiresAt: now + this.#maxAgeMs, value });
    value.catch(() => {
      if (this.#entries.get(secretId)?.value === value) this.#entries.delete(secretId);
    });
    return value;
  }

  invalidate(secretId: string): void {
    this.#entries.delete(secretId);
  }

  async #load(secretId: string): Promise<unknown> {
    let text: string;
    try {
      text = await this.#fetch(secretId);
    } catch (cause) {
      if (cause instanceof SecretShapeError) throw cause;
      throw new SecretUnavailableError(secretId, cause);
    }
    const value = parseSecretText(text, secretId);
    return value;
  }
}
