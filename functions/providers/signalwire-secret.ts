import type { Outcome } from '../core/redaction/outcome';
import type { RedactionJob } from '../core/redaction/redaction-job';
import type { ProviderClient, RedactionContext, RedactionProvider } from './provider';
import * as z from 'zod/mini';
import { parseSecret } from '../core/secrets/parse-secret';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** SignalWire ids (project, message, media) are UUIDs. */
export function isSignalWireId(value: string): boolean {
  return UUID.test(value);
}

export const signalWireIdSchema = (what: string) => z.string().check(z.regex(UUID, `${what} must be a UUID`));

/** The fields that verify callbacks: all a signing secret (the account's `signingSecretId`) holds. */
const SignalWireSigningSchema = z.object({
  projectId: signalWireIdSchema('projectId'),
  signingKey: z.string().check(z.minLength(8, 'must be the project signing key (PSK_…)')),
  previousSigningKey: z.optional(z.string().check(z.minLength(8, 'must be the previous signing key'))),
});

/**
 * Secrets Manager JSON for a SignalWire project, shared by the Compatibility (cXML) and REST APIs.
 * `apiToken` authenticates API calls; `signingKey` (the project's Signing Key, not the API token)
 * signs callbacks; `previousSigningKey` keeps callbacks valid while the key is reset.
 */
export const SignalWireSecretSchema = z.object({
  ...SignalWireSigningSchema.shape,
  apiToken: z.string().check(z.minLength(8, 'must be the project API token')),
  /** `example.signalwire.com` or `https://example.signalwire.com`. */
  spaceUrl: z.string().check(
    z.regex(/^(https:\/\/)?[a-z0-9][a-z0-9-]*\.signalwire\.com\/?$/, 'must be your space host, e.g. example.signalwire.com'),
  ),
});

export interface SignalWireSigningKeys {
  readonly projectId: string;
  /** Current first, then the previous key during rotation. */
  readonly signingKeys: readonly string[];
}

export interface SignalWireCredentials extends SignalWireSigningKeys {
  readonly apiToken: string;
  /** `https://{space}.signalwire.com`. */
  readonly spaceOrigin: string;
}

/** The project and its signing keys, from a signing secret or the full secret (other fields unread). */
export function parseSignalWireSigningKeys(secret: unknown, secretId: string): SignalWireSigningKeys {
  return signingKeysOf(parseSecret(SignalWireSigningSchema, secret, secretId));
}

export function parseSignalWireSecret(secret: unknown, secretId: string): SignalWireCredentials {
  const parsed = parseSecret(SignalWireSecretSchema, secret, secretId);
  const host = parsed.spaceUrl.replace(/^https:\/\//, '').replace(/\/$/, '');
  return { ...signingKeysOf(parsed), apiToken: parsed.apiToken, spaceOrigin: `https://${host}` };
}

function signingKeysOf(parsed: z.infer<typeof SignalWireSigningSchema>): SignalWireSigningKeys {
  return {
    projectId: parsed.projectId,
    signingKeys: parsed.previousSigningKey === undefined ? [parsed.signingKey] : [parsed.signingKey, parsed.previousSigningKey],
  };
}

/** Statuses during which SignalWire refuses redaction ("in progress"). */
export const SIGNALWIRE_IN_PROGRESS: ReadonlySet<string> = new Set(['queued', 'initiated', 'sending', 'accepted', 'scheduled']);

/**
 * A SignalWire redaction side (compatibility or REST): binds the project's API credentials, and refuses
 * a job whose id is not a SignalWire UUID before any request.
 */
export function signalWireRedaction(
  provider: 'signalwire-compat' | 'signalwire-rest',
  redact: (job: RedactionJob, context: RedactionContext, credentials: SignalWireCredentials) => Promise<Outcome>,
): RedactionProvider {
  return {
    provider,
    bindClient(secret, secretId): ProviderClient {
      const credentials = parseSignalWireSecret(secret, secretId);
      return {
        redact: async (job, context) =>
          isSignalWireId(job.messageId)
            ? redact(job, context, credentials)
            : { kind: 'rejected', code: 'invalid-message-id', reason: 'message id is not a SignalWire UUID' },
      };
    },
  };
}
