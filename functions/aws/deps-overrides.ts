import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from '../core/telemetry/logger';
import type { RetryPolicy } from '../core/redaction/retry-policy';

/** Parts the local runner and tests swap in when building handler dependencies; Lambda uses the defaults. */
export interface DepsOverrides {
  readonly sqs?: SQSClient;
  /** Sweep only: the coverage store's client (local mode points it at dynalite). */
  readonly dynamodb?: DynamoDBClient;
  /** Sweep only: a path-style S3 endpoint for the evidence bucket, and credentials to sign with (local mode). */
  readonly s3Endpoint?: string;
  readonly awsCredentials?: AwsCredentialIdentityProvider;
  /** Reads a secret's text (default: Secrets Manager GetSecretValue). */
  readonly fetchSecret?: (secretId: string) => Promise<string>;
  readonly log?: Logger;
  /** Redactor only: retry timings (local mode shortens them so a demo finishes in seconds). */
  readonly policy?: RetryPolicy;
}
