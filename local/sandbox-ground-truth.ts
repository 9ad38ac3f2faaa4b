import { isDocumentedFinal } from './documented-final-statuses';
import type { SandboxMessage } from './sandbox/sandbox-message';

/** What the provider's side holds, judged message by message with the documented final statuses. */
export interface GroundTruth {
  /** Messages in a documented final status. */
  readonly terminal: number;
  /** Final messages whose body is empty at the provider. */
  readonly redacted: number;
  /** Final messages still holding a body, with a dead-letter entry (and its reason). */
  readonly deadLettered: number;
  /** Final, still holding a body, and no dead-letter entry: what must not exist. */
  readonly lost: number;
  /** Not final, yet a redaction emptied its body: what must never happen. */
  readonly wronglyRedacted: number;
  /** Dead-letter reason → messages parked with it (each message once). */
  readonly deadLetterReasons: Readonly<Record<string, number>>;
  /** Ids of the final messages still holding a body (lost or dead-lettered). */
  readonly heldIds: ReadonlySet<string>;
}

/** Whether the provider documents the message's current status as final (MMS judged by what it was sent with). */
export function isFinalAtProvider(message: SandboxMessage): boolean {
  return isDocumentedFinal(message.provider, message.status, (message.mediaSent ?? message.media.length) > 0);
}

/**
 * Judges every message the sandbox holds (history seeded before the run included), never trusting
 * the product's terminal rules. Local accounts keep no body after the final status (retention 0), so
 * every final message must have an empty body or a dead-letter entry with a reason.
 */
export function judgeSandbox(messages: Iterable<SandboxMessage>, deadLetters: ReadonlyMap<string, string>): GroundTruth {
  let terminal = 0;
  let redacted = 0;
  let deadLettered = 0;
  let lost = 0;
  let wronglyRedacted = 0;
  const reasons: Record<string, number> = {};
  const heldIds = new Set<string>();
  for (const message of messages) {
    const reason = deadLetters.get(message.id);
    if (reason !== undefined) reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (!isFinalAtProvider(message)) {
      if (message.redactedAt !== undefined) wronglyRedacted++;
      continue;
    }
    terminal++;
    if (message.body === '') {
      redacted++;
      continue;
    }
    heldIds.add(message.id);
    if (reason === undefined) lost++;
    else deadLettered++;
  }
  return { terminal, redacted, deadLettered, lost, wronglyRedacted, deadLetterReasons: reasons, heldIds };
}
