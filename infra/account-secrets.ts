import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Account } from '../functions/core/config';

/**
 * A complete secret ARN ends in the 6-character suffix Secrets Manager appends to the name
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 */
const COMPLETE_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
const ANY_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/**
 * Imports each distinct `secretId` of the accounts by reference (the construct never creates or reads
 * secret values): a complete ARN as is; a partial ARN or a name is granted as `<name>-??????`, matching
 * exactly one random suffix (`?` is one character, so cdk-nag's IAM5 `*` check does not fire). Throws
 * naming the account key when a `secretId` looks like an ARN but is not a Secrets Manager secret ARN.
 *
 * A name that itself ends in `-` and six letters or digits (`twilio-backup`) must be given by name, not
 * as a partial ARN: such an ARN is indistinguishable from a complete one.
 */
export function importAccountSecrets(scope: Construct, accounts: readonly Account[]): secretsmanager.ISecret[] {
  const bySecretId = new Map<string, secretsmanager.ISecret>();
  const problems: string[] = [];
  accounts.forEach((account, index) => {
    const secretId = account.secretId;
    if (bySecretId.has(secretId)) return;
    const id = `AccountSecret${bySecretId.size}`;
    if (COMPLETE_ARN.test(secretId)) {
      bySecretId.set(secretId, secretsmanager.Secret.fromSecretCompleteArn(scope, id, secretId));
    } else if (!secretId.startsWith('arn:')) {
      bySecretId.set(secretId, secretsmanager.Secret.fromSecretNameV2(scope, id, secretId));
    } else if (ANY_SECRET_ARN.test(secretId)) {
      bySecretId.set(secretId, secretsmanager.Secret.fromSecretPartialArn(scope, id, secretId));
    } else {
      problems.push(
        `accounts[${index}].secretId: an ARN must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
      );
    }
  });
  if (problems.length > 0) throw new Error(`invalid accounts config: ${problems.join('; ')}`);
  return [...bySecretId.values()];
}
