import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Account } from '../functions/core/config/config';
import { ConfigError } from '../functions/core/runtime/errors';

/**
 * A complete secret ARN ends in the 6-character suffix Secrets Manager appends to the name
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 */
const COMPLETE_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
const ANY_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/**
 * Above this many distinct secrets granted by name, the functions' role policies outgrow IAM's size
 * limits (a role's inline policies 10,240 characters, 10 managed policies of 6,144 each: about 80
 * characters per secret ARN once CloudFormation resolves it, so some 800 at best, fewer beside the
 * other grants): synth asks for `secretNamePrefix` instead.
 */
export const MAX_SECRETS_GRANTED_BY_NAME = 100;

/** Something a function's role may be granted to read: one secret, or every secret under a prefix. */
export interface SecretReadGrant {
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** The secrets each function may read. */
export interface AccountSecrets {
  /** Each account's `signingSecretId`, else its `secretId`: all the internet-facing receiver needs. */
  readonly receiver: readonly SecretReadGrant[];
  /** Each account's `secretId` (the API credentials). */
  readonly redactor: readonly SecretReadGrant[];
}

/**
 * One grant for every secret whose name starts with `prefix`: the role policies stay one statement
 * however many accounts there are. The receiver then may read the API secrets under the prefix too.
 */
function prefixGrant(scope: Construct, prefix: string): SecretReadGrant {
  const arn = Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return {
    grantRead: (grantee) => iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resourceArns: [arn] }),
  };
}

/** The name part of a secret id (a name, or a partial or complete ARN). */
function secretName(secretId: string): string {
  return secretId.startsWith('arn:') ? secretId.split(':').slice(6).join(':') : secretId;
}

/**
 * Imports each distinct `secretId` and `signingSecretId` of the accounts by reference (the construct
 * never creates or reads secret values): a complete ARN as is; a partial ARN or a name is granted as
 * `<name>-??????`, matching exactly one random suffix (`?` is one character, so cdk-nag's IAM5 `*` check
 * does not fire). Throws naming the account key when an id looks like an ARN but is not a Secrets
 * Manager secret ARN.
 *
 * A name that itself ends in `-` and six letters or digits (`twilio-backup`) must be given by name, not
 * as a partial ARN: such an ARN is indistinguishable from a complete one.
 */
export function importAccountSecrets(scope: Construct, accounts: readonly Account[], secretNamePrefix?: string): AccountSecrets {
  if (secretNamePrefix !== undefined) {
    const problems: string[] = [];
    if (!/^[A-Za-z0-9/_+=.@-]{1,256}$/.test(secretNamePrefix)) problems.push(`secretNamePrefix (${secretNamePrefix}) must be the start of a secret name (letters, digits and /_+=.@-)`);
    accounts.forEach((account, index) => {
      for (const [key, id] of [['secretId', account.secretId], ['signingSecretId', account.signingSecretId]] as const) {
        if (id !== undefined && !secretName(id).startsWith(secretNamePrefix)) problems.push(`${entryPathOf(account, index)}.${key} (${id}) does not start with secretNamePrefix ${secretNamePrefix}`);
      }
    });
    // A parent's subaccounts share its secret: its problem is reported once.
    if (problems.length > 0) throw new ConfigError(`invalid accounts config: ${[...new Set(problems)].join('; ')}`);
    const grant = prefixGrant(scope, secretNamePrefix);
    return { receiver: [grant], redactor: [grant] };
  }
  const bySecretId = new Map<string, secretsmanager.ISecret>();
  const problems: string[] = [];
  const importOnce = (secretId: string, key: string): secretsmanager.ISecret | undefined => {
    const known = bySecretId.get(secretId);
    if (known !== undefined) return known;
    const id = `AccountSecret${bySecretId.size}`;
    let secret: secretsmanager.ISecret;
    if (COMPLETE_ARN.test(secretId)) {
      secret = secretsmanager.Secret.fromSecretCompleteArn(scope, id, secretId);
    } else if (!secretId.startsWith('arn:')) {
      secret = secretsmanager.Secret.fromSecretNameV2(scope, id, secretId);
    } else if (ANY_SECRET_ARN.test(secretId)) {
      secret = secretsmanager.Secret.fromSecretPartialArn(scope, id, secretId);
    } else {
      problems.push(`${key}: an ARN must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`);
      return undefined;
    }
    bySecretId.set(secretId, secret);
    return secret;
  };
  const redactor = accounts.map((account, index) => importOnce(account.secretId, `${entryPathOf(account, index)}.secretId`));
  const receiver = accounts.map((account, index) =>
    account.signingSecretId === undefined ? redactor[index] : importOnce(account.signingSecretId, `${entryPathOf(account, index)}.signingSecretId`),
  );
  if (bySecretId.size > MAX_SECRETS_GRANTED_BY_NAME) {
    problems.push(`${bySecretId.size} distinct secrets are more than ${MAX_SECRETS_GRANTED_BY_NAME} the functions' role policies can grant by name `
      + '(IAM: 10,240 characters of inline policy per role, 10 managed policies of 6,144): name them under one prefix and set secretNamePrefix, '
      + 'or use one parent secret for Twilio subaccounts');
  }
  if (problems.length > 0) throw new ConfigError(`invalid accounts config: ${problems.join('; ')}`);
  return { receiver: distinct(receiver), redactor: distinct(redactor) };
}

function distinct(secrets: ReadonlyArray<secretsmanager.ISecret | undefined>): secretsmanager.ISecret[] {
  return [...new Set(secrets.filter((secret) => secret !== undefined))];
}

/** Where an account's entry is in the config (a parent's subaccounts share theirs). */
export function entryPathOf(account: Account, index: number): string {
  return account.entryPath ?? `accounts[${index}]`;
}
