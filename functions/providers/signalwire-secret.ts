import * as z from 'zod/mini';
import { parseSecret } from '../core/parse-secret';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** SignalWire ids (project, message, media) are UUIDs. */
export function isSignalWireId(value: string): boolean {
  return UUID.test(value);
}

export const signalWireIdSchema = (what: string) => z.string().check(z.regex(UUID, `${what} must be a UUID`));

/**
 * Secrets Manager JSON for a SignalWire project, shared by the Compatibility (cXML) and REST APIs.
 * `apiToken` authenticates API calls; `signingKey` (the project's Signing Key, not the API token)
 * signs callbacks; `previousSigningKey` keeps callbacks valid while the key is reset.
 */
export const SignalWireSecretSchema = z.object({
  projectId: signalWireIdSchema('projectId'),
  apiToken: z.string().check(z.minLength(8, 'must be the project API token')),
  signingKey: z.string().check(z.minLength(8, 'must be the project signing key (PSK_…)')),
  previousSigningKey: z.optional(z.string().check(z.minLength(8, 'must be the previous signing key'))),
  /** `example.signalwire.com` or `https://example.signalwire.com`. */
  spaceUrl: z.string().check(
    z.regex(/^(https:\/\/)?[a-z0-9][a-z0-9-]*\.signalwire\.com\/?$/, 'must be your space host, e.g. example.signalwire.com'),
  ),
});

export interface SignalWireCredentials {
  readonly projectId: string;
  readonly apiToken: string;
  /** Current first, then the previous key during rotation. */
  readonly signingKeys: readonly string[];
  /** `https://{space}.signalwire.com`. */
  readonly spaceOrigin: string;
}

export function parseSignalWireSecret(secret: unknown, secretId: string): SignalWireCredentials {
  const parsed = parseSecret(SignalWireSecretSchema, secret, secretId);
  const host = parsed.spaceUrl.replace(/^https:\/\//, '').replace(/\/$/, '');
  return {
    projectId: parsed.projectId,
    apiToken: parsed.apiToken,
    signingKeys: parsed.previousSigningKey === undefined ? [parsed.signingKey] : [parsed.signingKey, parsed.previousSigningKey],
    spaceOrigin: `https://${host}`,
  };
}

/** Statuses during which SignalWire refuses redaction ("in progress"). */
export const SIGNALWIRE_IN_PROGRESS: ReadonlySet<string> = new Set(['queued', 'initiated', 'sending', 'accepted', 'scheduled']);
