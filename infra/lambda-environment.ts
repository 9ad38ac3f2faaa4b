import { Token } from 'aws-cdk-lib';
import { ConfigError } from '../functions/core/errors';

/** Lambda rejects a function whose environment variables total more than 4 KB. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/**
 * Room kept for a value only known at deploy time (a queue URL: `https://sqs.<region>.amazonaws.com/`
 * `<account>/<name of up to 80 characters>` is at most about 150 bytes).
 */
const UNRESOLVED_VALUE_BYTES = 256;

/**
 * Throws at synth when `environment` could exceed Lambda's 4 KB limit, which otherwise surfaces only
 * as a failed deployment. The accounts JSON is nearly all of it, so the message says so.
 */
export function assertEnvironmentFits(functionName: string, environment: Readonly<Record<string, string>>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(environment)) {
    bytes += Buffer.byteLength(key) + (Token.isUnresolved(value) ? UNRESOLVED_VALUE_BYTES : Buffer.byteLength(value));
  }
  if (bytes > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    const accounts = environment.REDACTOR_ACCOUNTS;
    const accountsBytes = accounts === undefined ? 0 : Buffer.byteLength(accounts);
    throw new ConfigError(
      `MessageRedactor: the ${functionName} function's environment would take about ${bytes} bytes, over Lambda's `
      + `${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit; REDACTOR_ACCOUNTS alone is ${accountsBytes} bytes. `
      + 'Split the accounts across several MessageRedactor stacks or drop optional fields (publicUrl, apiBaseUrl, terminalStatuses).',
    );
  }
}
