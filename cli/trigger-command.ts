import { parseAccounts, type Account } from '../functions/core/config/config';
import { PROVIDER_NAMES, type ProviderName } from '../functions/core/provider-rules/provider-name';
import { SANDBOX_ADMIN_PREFIX } from '../local/sandbox/sandbox-admin';
import { newMessageId } from '../local/sandbox/sandbox-message';
import { explainCallbackAnswer } from './callback-answers';
import { ALLOW_INSECURE_URL_FLAG, httpUrlFlag, parseCliArgs, processIo, runCli, UsageError, type CliIo } from './kit';
import { callbackUrlFor, sendSignedCallback, signerFor } from './signed-callback';
import { findAccount, resolveTarget, TARGET_OPTIONS, TARGET_USAGE, type Target, type TargetDeps } from './target';

export const TRIGGER_USAGE = `Send one correctly signed status callback (npm run trigger -- <provider> <status> [options])

  provider            ${PROVIDER_NAMES.join(', ')}
  status              the provider's status word, e.g. delivered, undelivered, failed, sent
                      (vonage-sms: delivered, expired, failed, rejected, accepted;
                      vonage-messages: delivered, undeliverable, rejected, read, submitted)

  --route R           the account to sign for (default: the only account of that provider; a
                      Twilio subaccount's callback is signed with its own token, fetched with the
                      parent's credentials)
  --message-id ID     the message the callback is about, e.g. one your app sent through the sandbox
                      (it is moved to <status> first); default: a new sandbox message at <status>
                      (on a deployed stack: a made-up id, which the redactor acks as not-found)
  --url URL           where to POST it (default: the account's callback URL)
  --${ALLOW_INSECURE_URL_FLAG}
                      send to a plain http URL or another host than the account's publicUrl
  --help              this text

${TARGET_USAGE}
The callback is signed with the account's signing secret (signingSecretId, else secretId): the
local secrets file, or Secrets Manager for a deployed stack. Prints the endpoint's HTTP answer and
what it means; exit 0 on a 2xx answer, 1 otherwise.
`;

/** How `npm run trigger` reaches what it needs; tests replace Secrets Manager. */
export type TriggerDeps = TargetDeps;

/** Runs `npm run trigger`; returns the exit code. */
export async function runTriggerCli(argv: readonly string[], io: CliIo = processIo, deps: TriggerDeps = {}, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli('trigger', TRIGGER_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      route: { type: 'string' },
      'message-id': { type: 'string' },
      url: { type: 'string' },
      [ALLOW_INSECURE_URL_FLAG]: { type: 'boolean', default: false },
      ...TARGET_OPTIONS,
      help: { type: 'boolean', default: false },
    });
    if (values.help) {
      io.out(TRIGGER_USAGE);
      return 0;
    }
    const [providerArg, status, extra] = positionals;
    if (providerArg === undefined) throw new UsageError('a provider is required');
    if (!PROVIDER_NAMES.includes(providerArg as ProviderName)) throw new UsageError(`unknown provider "${providerArg}": use one of ${PROVIDER_NAMES.join(', ')}`);
    const provider = providerArg as ProviderName;
    if (status === undefined) throw new UsageError('a status is required, e.g. delivered');
    if (!/^[a-z_-]{1,40}$/.test(status)) throw new UsageError(`status "${status}" is not a status word (lower-case letters, e.g. delivered)`);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (values.url !== undefined) httpUrlFlag(values.url, 'url');
    if (values['message-id'] !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(values['message-id'])) {
      throw new UsageError('--message-id must be a message id (letters, digits and dashes)');
    }

    const target = resolveTarget('trigger', values, env, { accounts: true }, deps);
    try {
      const account = chooseAccount(parseAccounts(target.accounts), target, provider, values.route);
      const url = callbackUrlFor(account, values.url, values[ALLOW_INSECURE_URL_FLAG]);
      const signer = await signerFor(account, target);
      const messageId = await chooseMessage(target, provider, status, values['message-id'], io);
      const answer = await sendSignedCallback({ account, url, signer }, { id: messageId, status });
      io.out(`POST ${answer.printableUrl} (route ${account.route}, ${status})\n`);
      io.out(`${answer.status}${answer.body === '' ? '' : ` ${answer.body}`}\n`);
      io.out(`${explainCallbackAnswer(answer.status)}\n`);
      return answer.status >= 200 && answer.status < 300 ? 0 : 1;
    } finally {
      target.close();
    }
  });
}

function chooseAccount(accounts: readonly Account[], target: Target, provider: ProviderName, route: string | undefined): Account {
  if (route !== undefined) {
    const account = findAccount(accounts, route, target);
    if (account.provider !== provider) throw new UsageError(`route "${route}" is a ${account.provider} account, not ${provider}`);
    return account;
  }
  // Without --route, a Twilio parent's subaccounts are not candidates: they are named by their route.
  const own = accounts.filter((a) => a.provider === provider && a.subaccountSid === undefined);
  const candidates = own.length > 0 ? own : accounts.filter((a) => a.provider === provider);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new UsageError(`${target.describe} has no ${provider} account`);
  throw new UsageError(`--route is required: ${target.describe} has ${candidates.length} ${provider} accounts (${candidates.slice(0, 10).map((a) => a.route).join(', ')}${candidates.length > 10 ? ', …' : ''})`);
}

/** The message the callback names: the given one (moved to `status` in a local sandbox), a new sandbox message, or a made-up id. */
async function chooseMessage(target: Target, provider: ProviderName, status: string, given: string | undefined, io: CliIo): Promise<string> {
  const sandbox = target.local?.sandboxOrigin;
  if (given !== undefined && sandbox !== undefined) {
    // As a provider does: the message is at the new status before the callback reports it.
    const known = await setSandboxStatus(sandbox, given, status);
    io.out(`${provider} message ${given} (${known ? `moved to status ${status} in the sandbox` : 'not in the sandbox: the redactor will ack it as not-found'})\n`);
    return given;
  }
  if (given !== undefined) {
    io.out(`${provider} message ${given} (given)\n`);
    return given;
  }
  if (sandbox !== undefined) {
    const id = await createSandboxMessage(sandbox, provider, status);
    io.out(`${provider} message ${id} (created in the sandbox at status ${status})\n`);
    return id;
  }
  const id = newMessageId(provider, false);
  io.out(`${provider} message ${id} (made up: no such message exists, so the redactor will ack it as not-found)\n`);
  return id;
}

async function createSandboxMessage(origin: string, provider: ProviderName, status: string): Promise<string> {
  const response = await fetch(`${origin}${SANDBOX_ADMIN_PREFIX}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider, status }),
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await response.json()) as { id?: string; error?: string };
  if (response.status !== 201 || answer.id === undefined) throw new Error(`the sandbox refused to create a message: ${response.status} ${answer.error ?? ''}`);
  return answer.id;
}

/** Moves a sandbox message to `status`; false when the sandbox has no such message. */
async function setSandboxStatus(origin: string, id: string, status: string): Promise<boolean> {
  const response = await fetch(`${origin}${SANDBOX_ADMIN_PREFIX}/messages/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
    signal: AbortSignal.timeout(15_000),
  });
  const answer = (await response.json()) as { error?: string };
  if (response.status === 404) return false;
  if (response.status !== 200) throw new Error(`the sandbox refused the status change: ${response.status} ${answer.error ?? ''}`);
  return true;
}
