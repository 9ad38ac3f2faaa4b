import { describe, expect, it, vi } from 'vitest';
import { SecretShapeError, SecretUnavailableError } from '../../../functions/core/runtime/errors';
import { CachedSecretStore } from '../../../functions/core/secrets/secret-store';

function store(fetch: (id: string) => Promise<string>, clock = { now: 0 }) {
  return new CachedSecretStore({ fetch, maxAgeMs: 1000, now: () => clock.now });
}

describe('Class: CachedSecretStore', () => {
  it('serves the same object until the max age passes, then fetches again', async () => {
    const clock = { now: 0 };
    const fetch = vi.fn(async () => '{"a":1}');
    const secrets = store(fetch, clock);
    const first = await secrets.get('s');
    expect(await secrets.get('s')).toBe(first);
    clock.now = 1001;
    expect(await secrets.get('s')).not.toBe(first);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('shares one fetch between concurrent gets', async () => {
    const fetch = vi.fn(async () => '{"a":1}');
    const secrets = store(fetch);
    await Promise.all([secrets.get('s'), secrets.get('s'), secrets.get('s')]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('fetches again after invalidate', async () => {
    const fetch = vi.fn(async () => '{"a":1}');
    const secrets = store(fetch);
    await secrets.get('s');
    secrets.invalidate('s');
    await secrets.get('s');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not cache a failed fetch and reports it as retryable', async () => {
    const fetch = vi.fn().mockRejectedValueOnce(new Error('ThrottlingException')).mockResolvedValueOnce('{"a":1}');
    const secrets = store(fetch);
    const error = await secrets.get('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretUnavailableError);
    expect((error as SecretUnavailableError).retryable).toBe(true);
    expect(await secrets.get('s')).toEqual({ a: 1 });
  });

  it('reports a non-JSON value without quoting it', async () => {
    const secrets = store(async () => 'hunter2-not-json');
    const error = await secrets.get('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretShapeError);
    expect((error as Error).message).toBe('secret s is malformed: value is not JSON');
  });

  it('rejects a JSON value that is not an object', async () => {
    await expect(store(async () => '"text"').get('s')).rejects.toThrow('secret s is malformed: value must be a JSON object');
  });
});
