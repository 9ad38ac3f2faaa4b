import { parseSecretText } from '../functions/core/parse-secret';
import { LOCAL_ENDPOINTS_FILE, noLocalStackMessage, readLocalEndpoints } from '../local/local-endpoints';
import { isTwilioParentEntry, type AccountConfigInput, type AccountsEntryInput } from '../functions/core/config';
import { PROVIDER_NAMES, type ProviderName } from '../functions/core/provider-name';
import { loadAccountsFile } from '../infra/accounts-file';
import { assertCallbackUrlSafe, httpUrlFlag, parseCliArgs, printableUrl, processIo, runCli, UsageError, type CliIo } from './kit';
import { explainCallbackAnswer } from '../local/callback-answer';
import { callbackSignerFromSecret } from '../local/callback-signing-secret';
import { fileSecretFetch } from '../local/file-secrets';
import { buildCallback } from '../local/sandbox/callback-builder';
import { SANDBOX_ADMIN_PREFIX, SAMPLE_BODY } from '../local/sandbox/sandbox-admin';
import { newMessageId, type SandboxMessage } from '../local/sandbox/sandbox-message';


export const TRIGGER_USAGE = `Send one correctly signed status callback (npm run trigger -- <provider> <status> [options])

  provider            ${PROVIDER_NAMES.join(', ')}
  status              the provider's status word, e.g. delivered, undelivered, failed, sent

  --route R           the account to sign for (default: the only account of that provider)
  --message-id ID     the message the callback is about, e.g. one your app sent through the sandbox
                      (it is moved to <status> first); default: a new sandbox message at <status>
  --url URL           where to POST it (default: the account's callback URL)
  --allow-insecure-url
                      send to a plain http URL or another host than the account's publicUrl

Target:
  (default)                the local stack of a running \`npm start\` [--endpoints FILE]: a new message
                           is created in its sandbox, and the callback is signed with the local secrets
  --accounts FILE          a deployed endpoint: the accounts file it was deployed with; the account's
                           signing secret (signingSecretId, else secretId) comes from Secrets Manager,
                           AWS credentials and region from the usual chain. Without --message-id the
                           callback names a new, nonexistent message: the redactor acks it as not-found
  --help                   this text

Prints the endpoint's HTTP answer and what it means; exit 0 on a 2xx answer, 1 otherwise.
`;

/** How `npm run trigger` reaches what it needs; tests replace Secrets Manager. */
export interface TriggerDeps {
  /** Secrets Manager's GetSecretValue text for a secret id (used with --accounts). */
  readonly fetchSecret?: (secretId: string) => Promise<string>;
}

interface Target {
  readonly accounts: readonly AccountsEntryInput[];
  readonly describe: string;
  readonly fetchSecret: (secretId: string) => Promise<string>;
  /** The local sandbox, where a new message can be created. */
  readonly sandboxOrigin?: string;
}

/** Runs `npm run trigger`; returns the exit code. */
export async function runTriggerCli(argv: readonly string[], io: CliIo = processIo, deps: TriggerDeps = {}): Promise<number> {
  return runCli('trigger', TRIGGER_USAGE, io, async () => {
    const { values, positionals } = parseCliArgs(argv, {
      route: { type: 'string' },
      'message-id': { type: 'string' },
      url: { type: 'string' },
      'allow-insecure-url': { type: 'boolean', default: false },
      endpoints: { type: 'string', default: LOCAL_ENDPOINTS_FILE },
      accounts: { type: 'string' },
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

    const target = resolveTarget(values.accounts, values.endpoints, deps);
    const account = chooseAccount(target, provider, values.route);
    if (values.url !== undefined) assertCallbackUrlSafe(values.url, account.publicUrl, values['allow-insecure-url']);
    const url = values.url ?? account.publicUrl;
    if (url === undefined) throw new UsageError(`--url is required: account "${account.route}" has no publicUrl`);
    const secretId = account.signingSecretId ?? account.secretId;
    const signer = callbackSignerFromSecret(provider, parseSecretText(await target.fetchSecret(secretId), secretId), secretId);

    let messageId = values['message-id'];
    if (messageId !== undefined && target.sandboxOrigin !== undefined) {
      // As a provider does: the message is at the new status before the callback reports it.
      const known = await setSandboxStatus(target.sandboxOrigin, messageId, status);
      io.out(`${provider} message ${messageId} (${known ? `moved to status ${status} in the sandbox` : 'not in the sandbox: the redactor will ack it as not-found'})\n`);
    } else if (messageId !== undefined) {
      io.out(`${provider} message ${messageId} (given)\n`);
    } else if (target.sandboxOrigin !== undefined) {
      messageId = await createSandboxMessage(target.sandboxOrigin, provider, status);
      io.out(`${provider} message ${messageId} (created in the sandbox at status ${status})\n`);
    } else {
      messageId = newMessageId(provider, false);
      io.out(`${provider} message ${messageId} (made up: no such message exists, so the redactor will ack it as not-found)\n`);
    }

    const callback = buildCallback(sandboxShaped(provider, messageId), status, url, signer.secrets);
    const response = await fetch(callback.url, {
      method: 'POST',
      headers: { ...callback.headers, ...signer.headers },
      body: callback.body,
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await response.text()).replace(/\s+/g, ' ').trim();
    // The query string is left out: CarrierX's callback URL carries the account's token.
    io.out(`POST ${printableUrl(callback.url)} (route ${account.route}, ${status})\n`);
    io.out(`${response.status}${answer === '' ? '' : ` ${answer.length > 300 ? `${answer.slice(0, 300)}…` : answer}`}\n`);
    io.out(`${explainCallbackAnswer(response.status)}\n`);
    return response.ok ? 0 : 1;
  });
}

function resolveTarget(accountsFile: string | undefined, endpointsFile: string, deps: TriggerDeps): Target {
  if (accountsFile !== undefined) {
    return {
      accounts: loadAccountsFile(accountsFile),
      describe: accountsFile,
      fetchSecret: deps.fetchSecret ?? fetchFromSecretsManager,
    };
  }
  const local = readLocalEndpoints(endpointsFile);
  if (local === undefined) throw new UsageError(noLocalStackMessage(endpointsFile, 'pass --accounts FILE for a deployed endpoint'));
  return {
    accounts: local.accounts,
    describe: `the local stack (${endpointsFile})`,
    fetchSecret: fileSecretFetch(local.secretsFile),
    ...(local.sandboxOrigin === undefined ? {} : { sandboxOrigin: local.sandboxOrigin }),
  };
}

/** GetSecretValue; the SDK is loaded only here, so a local trigger starts fast. */
async function fetchFromSecretsManager(secretId: string): Promise<string> {
  const [{ SecretsManagerClient }, { secretsManagerFetch }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../functions/aws/secrets-manager'),
  ]);
  const client = new SecretsManagerClient(regionOf(secretId));
  try {
    return await secretsManagerFetch(client)(secretId);
  } finally {
    client.destroy();
  }
}

/** A secret ARN names its region; a secret name uses the usual chain's. */
function regionOf(secretId: string): { region?: string } {
  const region = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
  return region === undefined ? {} : { region };
}

function chooseAccount(target: Target, provider: ProviderName, route: string | undefined): AccountConfigInput {
  const parents = target.accounts.filter(isTwilioParentEntry);
  const accounts = target.accounts.filter((entry): entry is AccountConfigInput => !isTwilioParentEntry(entry));
  if (route !== undefined) {
    const account = accounts.find((a) => a.route === route);
    if (account === undefined && parents.some((p) => p.route === route || p.subaccounts.some((s) => (s.route ?? s.accountSid) === route))) {
      throw new UsageError(`route "${route}" belongs to a Twilio parent entry: trigger signs with the auth token in a secret, and a subaccount's is fetched from Twilio by the receiver; trigger it through the provider`);
    }
    if (account === undefined) throw new UsageError(`route "${route}" is not an account of ${target.describe} (routes: ${accounts.map((a) => a.route).join(', ')})`);
    if (account.provider !== provider) throw new UsageError(`route "${route}" is a ${account.provider} account, not ${provider}`);
    return account;
  }
  const candidates = accounts.filter((a) => a.provider === provider);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new UsageError(`${target.describe} has no ${provider} account`);
  throw new UsageError(`--route is required: ${target.describe} has ${candidates.length} ${provider} accounts (${candidates.map((a) => a.route).join(', ')})`);
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

/** The message as the callback builder reads it: the id, and what the provider's callback carries. */
function sandboxShaped(provider: ProviderName, id: string): SandboxMessage {
  return { provider, id, body: SAMPLE_BODY, status: 'sent', direction: 'outbound', media: [], userData: '', redactAttempts: 0 };
}
