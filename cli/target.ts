import { SQSClient } from '@aws-sdk/client-sqs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AccountsEntryInput } from '../functions/core/config/config';
import { loadAccountsFile } from '../infra/accounts-file';
import { fileSecretFetch } from '../local/file-secrets';
import { LOCAL_ENDPOINTS_FILE, noLocalStackMessage, readLocalEndpoints, type LocalEndpoints } from '../local/local-endpoints';
import { UsageError } from './kit';

/** The flags that choose a command's target: the same in every command. */
export const TARGET_OPTIONS = {
  local: { type: 'boolean', default: false },
  endpoints: { type: 'string', default: LOCAL_ENDPOINTS_FILE },
  accounts: { type: 'string' },
  'queue-url': { type: 'string' },
  'dlq-url': { type: 'string' },
  'evidence-bucket': { type: 'string' },
  region: { type: 'string' },
} as const;

/** The values of TARGET_OPTIONS as parseArgs returns them. */
export interface TargetFlags {
  readonly local?: boolean;
  readonly endpoints: string;
  readonly accounts?: string;
  readonly 'queue-url'?: string;
  readonly 'dlq-url'?: string;
  readonly 'evidence-bucket'?: string;
  readonly region?: string;
}

/** The usage lines of the target flags, shared by every command's help. */
export const TARGET_USAGE = `Target (the same flags in every command):
  (default)                the local stack of a running \`npm start\`; --local insists on it,
                           --endpoints FILE names another one than ${LOCAL_ENDPOINTS_FILE}
  --accounts FILE          a deployed stack: the accounts file it was deployed with; secrets from
                           Secrets Manager, AWS credentials from the usual chain
  --queue-url URL          its RedactionQueueUrl output (or REDACTION_QUEUE_URL)
  --dlq-url URL            its DeadLetterQueueUrl output (or DEAD_LETTER_QUEUE_URL)
  --evidence-bucket NAME   its EvidenceBucketName output
  --region REGION          its region (default: the queue URL's or the secret ARN's, else the chain's)
`;

/** What a command needs of a deployed stack, so that a missing flag is named before anything runs. */
export interface TargetNeeds {
  readonly accounts?: boolean;
  readonly queue?: boolean;
  readonly deadLetterQueue?: boolean;
  readonly evidenceBucket?: boolean;
}

/** Where a command acts: one running local stack, or one deployed stack. */
export interface Target {
  readonly kind: 'local' | 'deployed';
  /** How messages name it: `the local stack (…/endpoints.json)` or `the stack deployed with accounts.json`. */
  readonly describe: string;
  /** The accounts config it serves, entries as written (a deployed target only with --accounts). */
  readonly accounts: readonly AccountsEntryInput[];
  readonly queueUrl?: string;
  readonly deadLetterQueueUrl?: string;
  readonly evidenceBucket?: string;
  /** The deployed stack's region when known (flag, queue URL); else the AWS SDK's chain decides. */
  readonly region?: string;
  /** The running local stack's endpoints file (local targets only). */
  readonly local?: LocalEndpoints;
  /** A secret's JSON text as Secrets Manager holds it; throws one line naming the secret when it cannot. */
  readonly fetchSecret: (secretId: string) => Promise<string>;
  /** The target's SQS client, built once. */
  readonly sqs: () => SQSClient;
  /** Releases the clients built for this target. */
  readonly close: () => void;
}

/** How a deployed target reads secrets; tests pass their own instead of Secrets Manager. */
export interface TargetDeps {
  readonly fetchSecret?: (secretId: string) => Promise<string>;
}

const ENV_QUEUE = 'REDACTION_QUEUE_URL';
const ENV_DLQ = 'DEAD_LETTER_QUEUE_URL';

/**
 * Resolves the target of `command` from its flags and the shell's queue variables. A running local
 * stack is the default; queue variables left in a shell never silently win over (or lose to) it, so
 * a purge or a redrive meant for one stack cannot hit the other.
 */
export function resolveTarget(command: string, flags: TargetFlags, env: NodeJS.ProcessEnv, needs: TargetNeeds, deps: TargetDeps = {}): Target {
  const deployedFlags = (['accounts', 'queue-url', 'dlq-url', 'evidence-bucket', 'region'] as const).filter((flag) => flags[flag] !== undefined);
  if (flags.local && deployedFlags.length > 0) {
    throw new UsageError(`--local and --${deployedFlags[0]} name two targets: choose the local stack or the deployed one`);
  }
  const fromShell = deployedFlags.length === 0 && !flags.local && (env[ENV_QUEUE] !== undefined || env[ENV_DLQ] !== undefined);
  const local = flags.local || deployedFlags.length === 0 ? readLocalEndpoints(flags.endpoints) : undefined;
  if (fromShell && local !== undefined) {
    throw new UsageError(
      `ambiguous target: ${ENV_QUEUE}/${ENV_DLQ} are set and a local stack is running (${flags.endpoints}): `
      + 'pass --local for the local stack, or the deployed stack\'s flags (--queue-url, --dlq-url, --accounts)',
    );
  }
  if (deployedFlags.length > 0 || fromShell) return deployedTarget(command, flags, env, needs, deps);
  if (local === undefined) {
    throw new UsageError(noLocalStackMessage(flags.endpoints, `pass ${deployedHint(needs)} for a deployed stack`));
  }
  return localTarget(flags.endpoints, local);
}

function deployedHint(needs: TargetNeeds): string {
  const flags = [
    needs.accounts ? '--accounts FILE' : undefined,
    needs.queue ? '--queue-url URL' : undefined,
    needs.deadLetterQueue ? '--dlq-url URL' : undefined,
    needs.evidenceBucket ? '--evidence-bucket NAME' : undefined,
  ].filter((flag) => flag !== undefined);
  return flags.length === 0 ? '--accounts FILE' : flags.join(' ');
}

function localTarget(file: string, local: LocalEndpoints): Target {
  let sqs: SQSClient | undefined;
  return {
    kind: 'local',
    describe: `the local stack (${file})`,
    accounts: local.accounts,
    queueUrl: local.queueUrl,
    deadLetterQueueUrl: local.deadLetterQueueUrl,
    ...(local.evidenceBucket === undefined ? {} : { evidenceBucket: local.evidenceBucket }),
    local,
    fetchSecret: fileSecretFetch(local.secretsFile),
    // One attempt: a local stack that stopped answering should say so now, not after the SDK's retries.
    sqs: () => (sqs ??= new SQSClient({ endpoint: local.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })),
    close: () => sqs?.destroy(),
  };
}

function deployedTarget(command: string, flags: TargetFlags, env: NodeJS.ProcessEnv, needs: TargetNeeds, deps: TargetDeps): Target {
  const queueUrl = flags['queue-url'] ?? env[ENV_QUEUE];
  const deadLetterQueueUrl = flags['dlq-url'] ?? env[ENV_DLQ];
  const evidenceBucket = flags['evidence-bucket'];
  const missing = (flag: string, from: string) => new UsageError(`${command} of a deployed stack needs ${flag} (${from})`);
  if (needs.accounts && flags.accounts === undefined) throw missing('--accounts FILE', 'the accounts file it was deployed with');
  if (needs.queue && queueUrl === undefined) throw missing('--queue-url URL', `the RedactionQueueUrl stack output, or ${ENV_QUEUE}`);
  if (needs.deadLetterQueue && deadLetterQueueUrl === undefined) throw missing('--dlq-url URL', `the DeadLetterQueueUrl stack output, or ${ENV_DLQ}`);
  if (needs.evidenceBucket && evidenceBucket === undefined) throw missing('--evidence-bucket NAME', 'the EvidenceBucketName stack output');
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(flags.region)) throw new UsageError(`--region ${flags.region} is not an AWS region (e.g. eu-west-1)`);
  const region = flags.region ?? regionOfQueueUrl(queueUrl) ?? regionOfQueueUrl(deadLetterQueueUrl);
  const accounts = flags.accounts === undefined ? [] : loadAccountsFile(flags.accounts);
  let sqs: SQSClient | undefined;
  const secretClients = new Map<string | undefined, SecretsManagerClient>();
  return {
    kind: 'deployed',
    describe: flags.accounts === undefined ? 'the deployed stack' : `the stack deployed with ${flags.accounts}`,
    accounts,
    ...(queueUrl === undefined ? {} : { queueUrl }),
    ...(deadLetterQueueUrl === undefined ? {} : { deadLetterQueueUrl }),
    ...(evidenceBucket === undefined ? {} : { evidenceBucket }),
    ...(region === undefined ? {} : { region }),
    fetchSecret: deps.fetchSecret ?? (async (secretId) => {
      // A secret ARN names its region; a name lives in the stack's.
      const secretRegion = regionOfSecretArn(secretId) ?? region;
      let client = secretClients.get(secretRegion);
      if (client === undefined) {
        client = await newSecretsManagerClient(secretRegion);
        secretClients.set(secretRegion, client);
      }
      return readSecret(client, secretId);
    }),
    sqs: () => (sqs ??= new SQSClient(region === undefined ? {} : { region })),
    close: () => {
      sqs?.destroy();
      for (const client of secretClients.values()) client.destroy();
    },
  };
}

/** The SDK is loaded only for a deployed target, so a local command starts fast. */
async function newSecretsManagerClient(region: string | undefined): Promise<SecretsManagerClient> {
  const { SecretsManagerClient: Client } = await import('@aws-sdk/client-secrets-manager');
  return new Client(region === undefined ? {} : { region });
}

async function readSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { secretsManagerFetch } = await import('../functions/aws/secrets-manager');
  try {
    return await secretsManagerFetch(client)(secretId);
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ResourceNotFoundException') throw new Error(`secret ${secretId} does not exist in this account and region (create it with aws secretsmanager create-secret)`, { cause: error });
    if (name === 'AccessDeniedException') throw new Error(`not allowed to read secret ${secretId} (secretsmanager:GetSecretValue)`, { cause: error });
    throw error;
  }
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` names its region. */
export function regionOfQueueUrl(url: string | undefined): string | undefined {
  return url === undefined ? undefined : /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(url)?.[1];
}

/** `arn:aws:secretsmanager:<region>:…` names its region; a secret name does not. */
export function regionOfSecretArn(secretId: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
}

/** The account with `route`, or a usage error naming the target and (some of) its routes. */
export function findAccount<A extends { readonly route: string }>(accounts: readonly A[], route: string, target: Pick<Target, 'describe'>): A {
  const account = accounts.find((candidate) => candidate.route === route);
  if (account !== undefined) return account;
  const shown = accounts.slice(0, 10).map((candidate) => candidate.route).join(', ');
  const more = accounts.length > 10 ? ` and ${accounts.length - 10} more` : '';
  throw new UsageError(`route "${route}" is not an account of ${target.describe} (routes: ${shown || 'none'}${more})`);
}
