import { parseAccounts, type Account } from '../functions/core/config/config';
import type { ProviderName } from '../functions/core/provider-rules/provider-name';
import { parseSecretText } from '../functions/core/secrets/parse-secret';
import { callbackProviders, redactionProviders } from '../functions/providers';
import { callbackSignerFromSecret, type CallbackSigner } from '../functions/providers/callback-signer';
import { newMessageId } from '../local/sandbox/sandbox-message';
import { explainCallbackAnswer } from './callback-answers';
import { ALLOW_INSECURE_URL_FLAG, httpUrlFlag, parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';
import { callbackUrlFor, sendSignedCallback, subaccountSigner, type CallbackAnswerReceived } from './signed-callback';
import { findAccount, resolveTarget, TARGET_OPTIONS, TARGET_USAGE, type Target, type TargetDeps } from './target';

export const SMOKE_USAGE = `Smoke test of a callback endpoint (npm run smoke -- --route R [options])

Sends one correctly signed, NON-final status callback (\`queued\`; Vonage: \`accepted\` or
\`submitted\`) for a made-up message id to the
route's callback URL and expects 204: the signature was verified with the account's secret and
nothing was enqueued. No real message is touched. Before sending, the secrets are read and their
shape checked (their values are never printed).

Options:
  --route R            the account's route (required)
  --url URL            the callback URL exactly as configured at the provider
                       (default: the account's publicUrl, which the local stack sets)
  --check-secret       only read and validate the route's secrets; send nothing
  --${ALLOW_INSECURE_URL_FLAG} send to a plain http URL or another host than the account's publicUrl
  --help               this text

${TARGET_USAGE}`;

/** Runs `npm run smoke`; returns the exit code (0 ok, 1 the endpoint or secret is wrong, 2 usage). */
export async function runSmokeCli(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: TargetDeps & { readonly fetch?: typeof fetch } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return runCli('smoke', SMOKE_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      route: { type: 'string' },
      url: { type: 'string' },
      [ALLOW_INSECURE_URL_FLAG]: { type: 'boolean', default: false },
      'check-secret': { type: 'boolean', default: false },
      ...TARGET_OPTIONS,
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(SMOKE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.route === undefined) throw new UsageError('--route is required');
    if (values.url !== undefined) httpUrlFlag(values.url, 'url');

    const target = resolveTarget('smoke', values, env, { accounts: true }, deps);
    try {
      const account = findAccount(parseAccounts(target.accounts), values.route, target);
      const url = values['check-secret'] ? undefined : callbackUrlFor(account, values.url, values[ALLOW_INSECURE_URL_FLAG]);
      const signer = await checkSecrets(account, target, io);
      if (url === undefined) return 0;
      const answer = await sendSignedCallback({ account, url, signer }, { id: newMessageId(account.provider, false), status: nonFinalStatus(account) }, deps.fetch);
      const verdict = diagnose(answer, account);
      (verdict.ok ? io.out : io.err)(`${verdict.text}\n`);
      return verdict.ok ? 0 : 1;
    } finally {
      target.close();
    }
  });
}

/**
 * Reads the account's API secret and (if separate) signing secret and validates each with the same
 * code the functions use. Prints secret ids and verdicts, never a value.
 */
async function checkSecrets(account: Account, target: Target, io: CliIo): Promise<CallbackSigner> {
  const read = async (secretId: string) => parseSecretText(await target.fetchSecret(secretId), secretId);
  const apiSecret = await read(account.secretId);
  redactionProviders[account.provider]!.bindClient(apiSecret, account.secretId);
  io.out(`secret ${account.secretId}: valid ${account.provider} API credentials\n`);
  if (account.subaccountSid !== undefined) {
    // As the receiver does: the subaccount's own token, fetched with the parent's credentials.
    const signer = await subaccountSigner({ ...account, subaccountSid: account.subaccountSid }, apiSecret);
    io.out(`subaccount ${account.subaccountSid}: auth token fetched with the parent's credentials\n`);
    return signer;
  }
  const signingSecretId = account.signingSecretId ?? account.secretId;
  const signingSecret = signingSecretId === account.secretId ? apiSecret : await read(signingSecretId);
  callbackProviders[account.provider]!.bindVerifier(signingSecret, signingSecretId);
  if (signingSecretId !== account.secretId) io.out(`secret ${signingSecretId}: valid ${account.provider} signing secret\n`);
  return callbackSignerFromSecret(account.provider, signingSecret, signingSecretId);
}

/** Statuses no provider calls final, in its own words: Vonage has neither `queued` nor `sent`. */
const NON_FINAL_CANDIDATES: Readonly<Record<ProviderName, readonly string[]>> = {
  twilio: ['queued', 'sent'],
  'signalwire-compat': ['queued', 'sent'],
  'signalwire-rest': ['queued', 'sent'],
  carrierx: ['queued', 'sent'],
  'vonage-sms': ['accepted', 'buffered'],
  'vonage-messages': ['submitted'],
};

/** `queued`, or `sent` where the account made `queued` final (Vonage: its own in-progress words): never a status that enqueues a job. */
function nonFinalStatus(account: Account): string {
  const candidates = NON_FINAL_CANDIDATES[account.provider];
  const status = candidates.find((s) => !account.terminalStatuses.has(s) && !(s === 'sent' && account.sentAgeSeconds > 0));
  if (status === undefined) throw new UsageError(`account ${account.route} treats ${candidates.join(' and ')} as final: no harmless status to send`);
  return status;
}

/** What the answer to a non-final callback means, in one line: the shared table, with this account's details. */
export function diagnose(answer: CallbackAnswerReceived, account: Account): { ok: boolean; text: string } {
  const { status, body, printableUrl: url } = answer;
  if (status === 204) {
    return { ok: true, text: `ok: ${url} verified a signed ${account.provider} callback for route ${account.route} and answered 204 (not final: nothing enqueued)` };
  }
  const detail =
    status === 200 ? ` (the smoke test sent a status that is not final: check the account's terminalStatuses; the redactor acks the made-up id as not found)`
    : status === 403 ? ` (route ${account.route} verifies with secret ${account.signingSecretId ?? account.secretId} against ${url})`
    : status === 404 && body.includes('unknown callback route') ? ` (the receiver has no account with route ${account.route}: the stack runs another accounts file than the one given)`
    : '';
  return { ok: false, text: `${status}: ${explainCallbackAnswer(status)}${detail}` };
}
