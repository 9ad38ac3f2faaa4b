import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { chain, CredentialsProviderError, memoize } from '@smithy/core/config';
import { ENV_CMDS_FULL_URI, ENV_CMDS_RELATIVE_URI, fromContainerMetadata } from '@smithy/credential-provider-imds';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** What the SDK clients pass their credential provider (their client config; the fields read here). */
type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0] & Parameters<typeof fromContainerMetadata>[0];

/** Refreshed five minutes before they expire, as the SDK's default chain does. */
const expiresSoon = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
const canExpire = (credentials: AwsCredentialIdentity): boolean => credentials.expiration !== undefined;

/**
 * The credential chain of the deployed handlers, in place of the SDK's default one (the bundler
 * aliases `@aws-sdk/credential-provider-node` here). Lambda hands a function its execution role's
 * credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
 * a runtime that serves them from a container endpoint instead (AWS_CONTAINER_CREDENTIALS_FULL_URI
 * or _RELATIVE_URI) is the fallback. Profiles, SSO, web identity and the EC2 metadata service, which
 * a Lambda function never uses, stay out of the bundle: about 15 KB gzip and their cold-start time.
 */
export const defaultProvider = (init: ProviderInit = {}): AwsCredentialIdentityProvider =>
  memoize(
    chain(fromEnv(init), async () => {
      if (process.env[ENV_CMDS_RELATIVE_URI] || process.env[ENV_CMDS_FULL_URI]) return chain(fromHttp(init), fromContainerMetadata(init))();
      throw new CredentialsProviderError('no AWS credentials in the environment (AWS_ACCESS_KEY_ID) nor a container credentials endpoint', { tryNextLink: false });
    }),
    expiresSoon,
    canExpire,
  );
