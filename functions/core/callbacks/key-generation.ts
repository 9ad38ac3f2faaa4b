/**
 * Which generation of an account's signing keys verified a callback: the current one, or the
 * previous one kept during a rotation. Once no callback is verified by `previous`, the old key can go.
 */
export type KeyGeneration = 'current' | 'previous';

/** The generation of the key at `index` in a secret's keys (the current one first, then the previous). */
export function keyGenerationAt(index: number): KeyGeneration {
  return index === 0 ? 'current' : 'previous';
}

/**
 * The generation of the first key `matches` accepts, or undefined when none does. Every key is tried,
 * whichever matches, so the time taken tells nothing about which one did.
 */
export function matchingKeyGeneration(keys: readonly string[], matches: (key: string) => boolean): KeyGeneration | undefined {
  let found: number | undefined;
  keys.forEach((key, index) => {
    if (matches(key) && found === undefined) found = index;
  });
  return found === undefined ? undefined : keyGenerationAt(found);
}
