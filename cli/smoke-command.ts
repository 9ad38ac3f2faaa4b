import { randomBytes, randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerFetch } from '../functions/aws/secrets-manager';
import { parseAccounts, type Account } from '../functions/core/config';
import type { ProviderName } from '../functions/core/provider-name';
import { FetchHttpClient } from '../functions/http/fetch-http-client';
import { callbackProviders, redactionProviders } from '../functions/providers';
import { twilioSubaccountTokenFetcher } from '../functions/providers/twilio';
import { buildCallback, type CallbackSigningSecrets, type SignedCallback } from '../local/sandbox/callback-builder';
import { fileSecretFetch } from '../local/file-secrets';
import { loadAccountsFile } from '../infra/accounts-file';
import { assertCallbackUrlSafe, httpUrlFlag, parseCliArgs, printableUrl, processIo, runCli, UsageError, type CliIo } from './kit';
import { LOCAL_ENDPOINTS_FILE, noLocalStackMessage, readLocalEndpoints } from '../local/local-endpoints';

export const SMOKE_USAGE = `Smoke test of a callback endpoint (npm run smoke -- --route R [options])

Sends one correctly signed, NON-final status callback (\`queued\`) for a made-up message id to the
route's callback URL and expects 204: the signature was verified with the account's secret and
nothing was enqueued. No real message is touched. Before sending, the secrets are read and their
shape checked (their values are never printed).

Options:
  --route R            the account's route (required)
  --url URL            the callback URL exactly as configured at the provider
                       (default: the account's publicUrl, which the local stack sets)
  --check-secret       only read and validate the route's secrets; send nothing
  --allow-insecure-url send to a plain http URL or another host than the account's publicUrl
Target:
  (default)            the local stack of a running \`npm start\` [--endpoints FILE]
  --accounts FILE      a deployed stack: the accounts file it was deployed with; secrets from
                       Secrets Manager, AWS credentials and region from the usual chain
  --help               this text
`;

/** Where the secrets come from and which accounts exist. */
interface SmokeTarget {
  readonly accounts: readonly Account[];
  readonly fetchSecret: (secretId: string) => Promise<string>;
  readonly where: string;
}

/** Runs `npm run smoke`; returns the exit code (0 ok, 1 the endpoint or secret is wrong, 2 usage). */
export async function runSmokeCli(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: { readonly secretsManager?: () => SecretsManagerClient; readonly fetch?: typeof fetch } = {},
): Promise<number> {
  return runCli('smoke', SMOKE_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      route: { type: 'string' },
      url: { type: 'string' },
      'allow-insecure-url': { type: 'boolean', default: false },
      'check-secret': { type: 'boolean', default: false },
      accounts: { type: 'string' },
      endpoints: { type: 'string', default: LOCAL_ENDPOINTS_FILE },
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(SMOKE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.route === undefined) throw new UsageError('--route is required');
    if (values.url !== undefined) httpUrlFlag(values.url, 'url');

    const target = values.accounts === undefined
      ? localTarget(values.endpoints)
      : deployedTarget(values.accounts, deps.secretsManager ?? (() => new SecretsManagerClient({})));
    const account = target.accounts.find((a) => a.route === values.route);
    if (account === undefined) {
      throw new UsageError(`no account with route ${values.route} in ${target.where} (routes: ${target.accounts.map((a) => a.route).join(', ')})`);
    }

    if (values.url !== undefined) assertCallbackUrlSafe(values.url, account.publicUrl, values['allow-insecure-url']);
    const signing = await checkSecrets(account, target, io);
    if (values['check-secret']) return 0;

    // A Twilio connection-override fragment (`#rc=…&rp=…`) configures Twilio's retries; a fragment is
    // never sent in a request, so Twilio signs the URL without it, and so do we.
    const url = (values.url ?? account.publicUrl)?.split('#')[0];
    if (url === undefined) throw new UsageError(`--url is required: account ${account.route} has no publicUrl (pass the callback URL configured at the provider)`);
    const status = nonFinalStatus(account);
    const callback = signedCallback(account.provider, status, url, signing);
    const response = await (deps.fetch ?? fetch)(callback.url, { method: 'POST', headers: callback.headers, body: callback.body, redirect: 'manual' });
    const body = await response.text();
    // Printed without its query: CarrierX's callback URL carries the account's token.
    const verdict = diagnose(response.status, body, account, printableUrl(url));
    (verdict.ok ? io.out : io.err)(`${verdict.text}\n`);
    return verdict.ok ? 0 : 1;
  });
}

function localTarget(endpointsFile: string): SmokeTarget {
  const endpoints = readLocalEndpoints(endpointsFile);
  if (endpoints === undefined) throw new UsageError(noLocalStackMessage(endpointsFile, 'pass --accounts FILE for a deployed stack'));
  return { accounts: parseAccounts(endpoints.accounts), fetchSecret: fileSecretFetch(endpoints.secretsFile), where: endpointsFile };
}

function deployedTarget(accountsFile: string, client: () => SecretsManagerClient): SmokeTarget {
  const fetchSecret = secretsManagerFetch(client());
  return { accounts: parseAccounts(loadAccountsFile(accountsFile)), fetchSecret, where: accountsFile };
}

/**
 * Reads the account's API secret and (if separate) signing secret and validates each with the same
 * code the functions use. Prints secret ids and verdicts, never a value.
 */
async function checkSecrets(account: Account, target: SmokeTarget, io: CliIo): Promise<CallbackSigningSecrets> {
  const read = async (secretId: string): Promise<unknown> => {
    let text: string;
    try {
      text = await target.fetchSecret(secretId);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceNotFoundException') throw new Error(`secret ${secretId} does not exist in this account and region (create it with aws secretsmanager create-secret)`, { cause: error });
      if (name === 'AccessDeniedException') throw new Error(`not allowed to read secret ${secretId} (secretsmanager:GetSecretValue)`, { cause: error });
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`secret ${secretId} is not JSON`);
    }
  };
  const apiSecret = await read(account.secretId);
  redactionProviders[account.provider]!.bindClient(apiSecret, account.secretId);
  io.out(`secret ${account.secretId}: valid ${account.provider} API credentials\n`);
  if (account.subaccountSid !== undefined) {
    // As the receiver does: the subaccount's own token, fetched with the parent's credentials.
    const fetchToken = twilioSubaccountTokenFetcher(new FetchHttpClient(5_000));
    const authToken = await fetchToken({ ...account, subaccountSid: account.subaccountSid }, apiSecret);
    io.out(`subaccount ${account.subaccountSid}: auth token fetched with the parent's credentials\n`);
    return signingSecretsOf('twilio', { accountSid: account.subaccountSid, authToken }, account.secretId);
  }
  const signingSecretId = account.signingSecretId ?? account.secretId;
  const signingSecret = signingSecretId === account.secretId ? apiSecret : await read(signingSecretId);
  callbackProviders[account.provider]!.bindVerifier(signingSecret, signingSecretId);
  if (signingSecretId !== account.secretId) io.out(`secret ${signingSecretId}: valid ${account.provider} signing secret\n`);
  return signingSecretsOf(account.provider, signingSecret, signingSecretId);
}

/** The fields the provider signs callbacks with, from an already validated secret. */
function signingSecretsOf(provider: ProviderName, secret: unknown, secretId: string): CallbackSigningSecrets {
  const s = secret as Record<string, string>;
  const none = { twilio: { accountSid: '', authToken: '' }, signalwire: { projectId: '', signingKey: '' }, carrierx: { callbackToken: '' } };
  switch (provider) {
    case 'twilio':
      if (s.authToken === undefined) throw new Error(`secret ${secretId} has no authToken: the smoke test signs like Twilio's default (auth token) mode only`);
      return { ...none, twilio: { accountSid: s.accountSid!, authToken: s.authToken } };
    case 'signalwire-compat':
    case 'signalwire-rest':
      return { ...none, signalwire: { projectId: s.projectId!, signingKey: s.signingKey! } };
    case 'carrierx':
      return { ...none, carrierx: { callbackToken: s.callbackToken! } };
  }
}

/** `queued`, or `sent` where the account made `queued` final: never a status that enqueues a job. */
function nonFinalStatus(account: Account): string {
  const status = ['queued', 'sent'].find((s) => !account.terminalStatuses.has(s) && !(s === 'sent' && account.sentAgeSeconds > 0));
  if (status === undefined) throw new UsageError(`account ${account.route} treats both queued and sent as final: no harmless status to send`);
  return status;
}

/** A made-up message id in the provider's format: it matches no real message. */
function smokeMessageId(provider: ProviderName): string {
  return provider === 'twilio' ? `SM${randomBytes(16).toString('hex')}` : randomUUID();
}

function signedCallback(provider: ProviderName, status: string, url: string, secrets: CallbackSigningSecrets): SignedCallback {
  const message = { provider, id: smokeMessageId(provider), body: '', status, direction: 'outbound' as const, media: [], userData: '', redactAttempts: 0 };
  return buildCallback(message, status, url, secrets);
}

/** What an answer means, in one line. */
export function diagnose(status: number, body: string, account: Account, url: string): { ok: boolean; text: string } {
  const route = account.route;
  switch (status) {
    case 204:
      return { ok: true, text: `ok: ${url} verified a signed ${account.provider} callback for route ${route} and answered 204 (not final: nothing enqueued)` };
    case 200:
      return { ok: false, text: `200: the callback was taken as final and a job was enqueued (for a made-up id: the redactor will ack it as not found); check the account's terminalStatuses` };
    case 401:
      return { ok: false, text: `401 unauthenticated: the receiver got no signature or token. A proxy or custom domain in front may strip the signature header (CarrierX: the token query parameter); check what reaches the receiver` };
    case 403:
      return { ok: false, text: `403 signature rejected: the secret the receiver reads for route ${route} (${account.signingSecretId ?? account.secretId}) is not the one the smoke test signed with, or ${url} is not the URL the receiver verifies against (the account's publicUrl, else the URL API Gateway saw). Sign with exactly the URL configured at the provider` };
    case 404:
      return body.includes('unknown callback route')
        ? { ok: false, text: `404 unknown route: the receiver has no account with route ${route}: the stack runs another accounts file than the one given` }
        : { ok: false, text: `404 not found: ${url} matches no callback route: check the host (CallbackBaseUrl output) and that the path ends in /callbacks/${route}` };
    case 405:
      return { ok: false, text: '405: the endpoint refuses POST: this URL is not the callback receiver' };
    case 429:
      return { ok: false, text: '429 throttled: the route is over its throttling limits; try again, or raise routeThrottling for it' };
    default:
      return status >= 500
        ? { ok: false, text: `${status}: the receiver failed (queue or secret unavailable, or a bad deployment): read callback.failed in the receiver's log group` }
        : { ok: false, text: `${status}: unexpected answer from ${url}` };
  }
}
