import { Token } from 'aws-cdk-lib';
import { ConfigError } from '../functions/core/runtime/errors';

/** Lambda rejects a function whose environment variables total more than 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * Room kept for a value only known at deploy time (a queue URL: `https://sqs.<region>.amazonaws.com/`
 * `<account>/<name of up to 80 characters>` is at most about 150 bytes).
 */
const UNRESOLVED_VALUE_BYTES = 256;

/**
 * Throws at synth when `environment` could exceed Lambda's 4 KB limit, which otherwise surfaces only
 * as a failed deployment. The accounts are not in it (they travel in a layer), so its size does not
 * grow with the account count.
 */
export function assertEnvironmentFits(functionName: string, environment: Readonly<Record<string, string>>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(environment)) {
    bytes += Buffer.byteLength(key) + (Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value));
  }
  if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    throw new ConfigError(
      `MessageRedactor: the ${functionName} function's environment would take about ${bytes} bytes, over Lambda's `
      + `${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit`,
    );
  }
}
