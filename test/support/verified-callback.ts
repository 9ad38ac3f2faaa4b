import { expect } from 'vitest';
import type { KeyGeneration } from '../../functions/core/callbacks/key-generation';

/**
 * What a verifier returns for an accepted callback: the signed fields (containing `fields`), the
 * credentials' provider account where the provider names one, and which key generation matched.
 */
export function verifiedBy(keyGeneration: KeyGeneration, fields: Record<string, unknown> = {}, providerAccount?: string): Record<string, unknown> {
  return {
    keyGeneration,
    fields: expect.objectContaining(fields),
    ...(providerAccount === undefined ? {} : { providerAccount }),
  };
}
