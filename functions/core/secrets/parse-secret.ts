import type * as z from 'zod/mini';
import { SecretShapeError } from '../runtime/errors';
import { describeIssues } from '../config/zod-issues';

/** Validates a secret's JSON against its provider's schema; errors name fields, never values. */
export function parseSecret<T extends z.ZodMiniType>(schema: T, value: unknown, secretId: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SecretShapeError(secretId, describeIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * A secret's text as a JSON object. The parser's own message would quote the secret, so errors say
 * only what is wrong.
 */
export function parseSecretText(text: string, secretId: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretShapeError(secretId, 'value is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretShapeError(secretId, 'value must be a JSON object');
  }
  return value as Record<string, unknown>;
}
