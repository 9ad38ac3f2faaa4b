import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import { parseSecretText } from '../functions/core/secrets/parse-secret';
import { buildCallback } from '../functions/providers/callback-builder';
import { callbackSignerFromSecret, type CallbackSigner } from '../functions/providers/callback-signer';
import { FetchHttpClient } from '../functions/http/fetch-http-client';
import { twilioSubaccountTokenFetcher } from '../functions/providers/twilio';
import type { Account } from '../functions/core/config/config';
import { SAMPLE_BODY } from '../local/sandbox/sandbox-admin';
import { assertCallbackUrlSafe, printableUrl, UsageError } from './kit';
import type { Target } from './target';

/** What of an account a test callback needs (a parsed account or its config entry). */
export interface CallbackAccount {
  readonly route: string;
  readonly provider: ProviderName;
  readonly secretId: string;
  readonly signingSecretId?: string | undefined;
  readonly publicUrl?: string | undefined;
}

/** Where one test callback goes, and with what it is signed. */
export interface PreparedCallback {
  readonly account: CallbackAccount;
  /** The URL the callback is signed for and sent to, without a fragment. */
  readonly url: string;
  readonly signer: CallbackSigner;
}

/**
 * The URL a test callback for `account` goes to: `--url`, else the account's publicUrl. A signed
 * callback carries what signs it, so it goes only over https to the account's own host, or to this
 * machine, unless the user passed the flag that names the risk.
 */
export function callbackUrlFor(account: CallbackAccount, url: string | undefined, allowInsecureUrl: boolean): string {
  if (url !== undefined) assertCallbackUrlSafe(url, account.publicUrl, allowInsecureUrl);
  // A Twilio connection-override fragment (`#rc=…&rp=…`) configures Twilio's retries; a fragment is
  // never sent in a request, so Twilio signs the URL without it, and so do we.
  const chosen = (url ?? account.publicUrl)?.split('#')[0];
  if (chosen === undefined) throw new UsageError(`--url is required: account "${account.route}" has no publicUrl (pass the callback URL configured at the provider)`);
  return chosen;
}

/**
 * What signs the account's callbacks: its signing secret (signingSecretId, else secretId) read from the
 * target, or for a Twilio subaccount its own auth token, fetched with the parent's credentials.
 */
export async function signerFor(account: Account, target: Pick<Target, 'fetchSecret'>): Promise<CallbackSigner> {
  const secretId = account.signingSecretId ?? account.secretId;
  const secret = parseSecretText(await target.fetchSecret(secretId), secretId);
  return account.subaccountSid === undefined ? callbackSignerFromSecret(account.provider, secret, secretId) : subaccountSigner({ ...account, subaccountSid: account.subaccountSid }, secret);
}

/** A Twilio subaccount's signer: its auth token, fetched with the parent's credentials as the receiver fetches it. Never printed. */
export async function subaccountSigner(account: Account & { readonly subaccountSid: string }, parentSecret: unknown): Promise<CallbackSigner> {
  const authToken = await twilioSubaccountTokenFetcher(new FetchHttpClient(5_000))(account, parentSecret);
  return callbackSignerFromSecret('twilio', { accountSid: account.subaccountSid, authToken }, account.secretId);
}

/** The endpoint's answer to one signed callback. */
export interface CallbackAnswerReceived {
  readonly status: number;
  /** The answer's body on one line, cut at 300 characters. */
  readonly body: string;
  /** The URL it went to, printable (no query: CarrierX's token is there). */
  readonly printableUrl: string;
}

/**
 * Signs a status callback for `messageId` at `status` exactly as the account's provider would, and
 * POSTs it: the one sender behind `smoke` and `trigger`.
 */
export async function sendSignedCallback(
  prepared: PreparedCallback,
  message: { readonly id: string; readonly status: string },
  fetchImpl: typeof fetch = fetch,
): Promise<CallbackAnswerReceived> {
  const { account, url, signer } = prepared;
  const callback = buildCallback(
    { provider: account.provider, id: message.id, body: SAMPLE_BODY, direction: 'outbound', media: [] },
    message.status,
    url,
    signer.secrets,
  );
  const response = await fetchImpl(callback.url, {
    method: 'POST',
    headers: { ...callback.headers, ...signer.headers },
    body: callback.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  const text = (await response.text()).replace(/\s+/g, ' ').trim();
  return { status: response.status, body: text.length > 300 ? `${text.slice(0, 300)}…` : text, printableUrl: printableUrl(callback.url) };
}
