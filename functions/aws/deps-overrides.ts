import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../core/logger';
import type { RetryPolicy } from '../core/retry-policy';

/** Parts the local runner and tests swap in when building handler dependencies; Lambda uses the defaults. */
export interface DepsOverrides {
  readonly sqs?: SQSClient;
  /** Sweep only: the coverage store's client (local mode points it at dynalite). */
  readonly dynamodb?: DynamoDBClient;
  /** Reads a secret's text (default: Secrets Manager GetSecretValue). */
  readonly fetchSecret?: (secretId: string) => Promise<string>;
  readonly log?: Logger;
  /** Redactor only: retry timings (local mode shortens them so a demo finishes in seconds). */
  readonly policy?: RetryPolicy;
}
