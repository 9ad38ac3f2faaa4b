/**
 * Work derived from a secret (a bound verifier or API client), memoised per secret object and per
 * provider. The secret store returns the same object until it refreshes it, so a rotation drops the
 * memo with it; the provider is part of the key because accounts of different providers may share
 * one secret (SignalWire compatibility and REST do).
 */
export class PerSecretMemo<T> {
  readonly #bySecret = new WeakMap<object, Map<string, T>>();

  get(secret: object, provider: string, create: () => T): T {
    let byProvider = this.#bySecret.get(secret);
    if (byProvider === undefined) {
      byProvider = new Map();
      this.#bySecret.set(secret, byProvider);
    }
    let value = byProvider.get(provider);
    if (value === undefined) {
      value = create();
      byProvider.set(provider, value);
    }
    return value;
  }
}
