import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Account } from '../functions/core/config';
import { ConfigError } from '../functions/core/errors';

/**
 * A complete secret ARN ends in the 6-character suffix Secrets Manager appends to the name
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 */
const COMPLETE_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
const ANY_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** The secrets each function may read. */
export interface AccountSecrets {
  /** Each account's `signingSecretId`, else its `secretId`: all the internet-facing receiver needs. */
  readonly receiver: readonly secretsmanager.ISecret[];
  /** Each account's `secretId` (the API credentials). */
  readonly redactor: readonly secretsmanager.ISecret[];
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
export function importAccountSecrets(scope: Construct, accounts: readonly Account[]): AccountSecrets {
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
  const redactor = accounts.map((account, index) => importOnce(account.secretId, `accounts[${index}].secretId`));
  const receiver = accounts.map((account, index) =>
    account.signingSecretId === undefined ? redactor[index] : importOnce(account.signingSecretId, `accounts[${index}].signingSecretId`),
  );
  if (problems.length > 0) throw new ConfigError(`invalid accounts config: ${problems.join('; ')}`);
  return { receiver: distinct(receiver), redactor: distinct(redactor) };
}

function distinct(secrets: ReadonlyArray<secretsmanager.ISecret | undefined>): secretsmanager.ISecret[] {
  return [...new Set(secrets.filter((secret) => secret !== undefined))];
}
