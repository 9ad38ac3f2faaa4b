import { ConfigError } from '../runtime/errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** A required environment variable; the error names the key. */
export function requireEnv(env: Env, key: string): string {
  const value = env[key];
  if (value === undefined || value === '') throw new ConfigError(`environment variable ${key} is not set`);
  return value;
}

/** An optional whole-number environment variable within bounds; the error names the key. */
export function intEnv(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`environment variable ${key} must be a whole number from ${min} to ${max}`);
  }
  return value;
}
