import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretShapeError } from '../core/runtime/errors';

/** Fetches a secret's text from Secrets Manager (by name or ARN), for CachedSecretStore. */
export function secretsManagerFetch(client: SecretsManagerClient): (secretId: string) => Promise<string> {
  return async (secretId) => {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (output.SecretString === undefined) throw new SecretShapeError(secretId, 'value must be a JSON SecretString, not binary');
    return output.SecretString;
  };
}
