import { describe, expect, it } from 'vitest';
import { parseAccounts, type Account } from '../../functions/core/config/config';
import { SubaccountTokenError } from '../../functions/core/runtime/errors';
import { SubaccountSigningSecrets, type SubaccountSigningSecretsOptions } from '../../functions/receiver/subaccount-signing-secrets';

const SUB = 'AC' + '0a'.repeat(16);
const [ACCOUNT] = parseAccounts([{ provider: 'twilio', secretId: 'parent', subaccounts: [{ accountSid: SUB }] }]) as Array<Account & { subaccountSid: string }>;
const PARENT_SECRET = { accountSid: 'AC' + 'a1'.repeat(16), authToken: 'parent-token-' + 'p'.repeat(20) };

/** A token source that counts its calls and answers with tokens numbered by call. */
function counted(answer: (call: number) => Promise<string> = async (call) => `token-${call}-${'t'.repeat(16)}`) {
  const calls: unknown[] = [];
  const fetchToken: SubaccountSigningSecretsOptions['fetchToken'] = (_account, parentSecret) => {
    calls.push(parentSecret);
    return answer(calls.length);
  };
  return { fetchToken, calls };
}

function store(options: Partial<SubaccountSigningSecretsOptions> & Pick<SubaccountSigningSecretsOptions, 'fetchToken'>) {
  return new SubaccountSigningSecrets({ maxAgeMs: 3_600_000, minRefreshIntervalMs: 60_000, maxFetchesInFlight: 4, ...options });
}

describe('Class: SubaccountSigningSecrets', () => {
  it('fetches a subaccount\'s token once with the parent\'s secret, shares one fetch among concurrent gets, and returns the same object while cached', async () => {
    const { fetchToken, calls } = counted();
    const secrets = store({ fetchToken });
    const [a, b] = await Promise.all([secrets.get(ACCOUNT!, PARENT_SECRET), secrets.get(ACCOUNT!, PARENT_SECRET)]);
    expect(a).toEqual({ accountSid: SUB, authToken: `token-1-${'t'.repeat(16)}` });
    expect(b).toBe(a);
    expect(await secrets.get(ACCOUNT!, PARENT_SECRET)).toBe(a);
    expect(calls).toEqual([PARENT_SECRET]);
  });

  it('fetches again once the token is older than its max age', async () => {
    let now = 0;
    const { fetchToken, calls } = counted();
    const secrets = store({ fetchToken, maxAgeMs: 1_000, now: () => now });
    await secrets.get(ACCOUNT!, PARENT_SECRET);
    now = 1_000;
    expect((await secrets.get(ACCOUNT!, PARENT_SECRET)).authToken).toBe(`token-2-${'t'.repeat(16)}`);
    expect(calls).toHaveLength(2);
  });

  it('serves a refusal for the refresh interval, then fetches again (fail closed, bounded, not stuck)', async () => {
    let now = 0;
    const refusal = new SubaccountTokenError(SUB, 'http-404', false);
    const { fetchToken, calls } = counted(async (call) => {
      if (call === 1) throw refusal;
      return `token-${call}-${'t'.repeat(16)}`;
    });
    const secrets = store({ fetchToken, now: () => now });
    await expect(secrets.get(ACCOUNT!, PARENT_SECRET)).rejects.toThrow(refusal);
    // A hundred callbacks meanwhile, forged or not, ask Twilio nothing more.
    now = 59_999;
    for (let i = 0; i < 100; i++) await expect(secrets.get(ACCOUNT!, PARENT_SECRET)).rejects.toThrow(SubaccountTokenError);
    expect(calls).toHaveLength(1);
    now = 60_000;
    expect((await secrets.get(ACCOUNT!, PARENT_SECRET)).authToken).toBe(`token-2-${'t'.repeat(16)}`);
    expect(calls).toHaveLength(2);
  });

  it('does not remember a transient failure: the provider\'s retry of the callback fetches again at once', async () => {
    const { fetchToken, calls } = counted(async (call) => {
      if (call === 1) throw new SubaccountTokenError(SUB, 'http-503', true);
      return `token-${call}-${'t'.repeat(16)}`;
    });
    const secrets = store({ fetchToken });
    await expect(secrets.get(ACCOUNT!, PARENT_SECRET)).rejects.toThrow(new SubaccountTokenError(SUB, 'http-503', true));
    expect((await secrets.get(ACCOUNT!, PARENT_SECRET)).authToken).toBe(`token-2-${'t'.repeat(16)}`);
    expect(calls).toHaveLength(2);
  });

  it('drops a token after a mismatch only once it is older than the refresh interval', async () => {
    let now = 0;
    const { fetchToken, calls } = counted();
    const secrets = store({ fetchToken, now: () => now });
    await secrets.get(ACCOUNT!, PARENT_SECRET);
    now = 59_999;
    expect(secrets.refreshAfterMismatch(ACCOUNT!)).toBe(false);
    now = 60_000;
    expect(secrets.refreshAfterMismatch(ACCOUNT!)).toBe(true);
    await secrets.get(ACCOUNT!, PARENT_SECRET);
    expect(calls).toHaveLength(2);
  });

  it('keeps at most maxFetchesInFlight fetches running at once over all subaccounts', async () => {
    const subaccounts = Array.from({ length: 6 }, (_, i) => ({ accountSid: 'AC' + i.toString(16).padStart(32, '0') }));
    const accounts = parseAccounts([{ provider: 'twilio', secretId: 'parent', subaccounts }]) as Array<Account & { subaccountSid: string }>;
    const release: Array<() => void> = [];
    let inFlight = 0;
    let peak = 0;
    const secrets = store({
      maxFetchesInFlight: 2,
      fetchToken: () => new Promise((resolve) => {
        peak = Math.max(peak, ++inFlight);
        release.push(() => {
          inFlight--;
          resolve('t'.repeat(32));
        });
      }),
    });
    const all = Promise.all(accounts.map((account) => secrets.get(account, PARENT_SECRET)));
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      release.shift()?.();
    }
    await all;
    expect(peak).toBe(2);
  });
});
