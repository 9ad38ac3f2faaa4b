import type { Account } from '../config/config';
import { dueAtOf } from './listed-message-decision';
import type { ListedMessage } from './listed-message';
import { PROVIDER_CAPABILITIES } from '../provider-rules/provider-capabilities';

/** Where a listed message stands, as the audit's evidence states it. Stable strings: reports and metrics use them. */
export type AuditState =
  /** The body is gone at the provider. */
  | 'redacted'
  /** Final, still inside its retention: the body may be there. */
  | 'within-retention'
  /** Not final at the provider: never redacted. */
  | 'not-final'
  /** The provider's list does not show whether a body is there (SignalWire Relay messages). */
  | 'unverifiable'
  /** Final, past its retention, and the body is still there. */
  | 'held';

/**
 * Why a body is held past its retention. `due-not-redacted`: the pipeline could have redacted it and
 * has not (yet): alarmed, and the audit enqueues it. `provider-cannot-redact`: the provider's API
 * offers no way to blank it (CarrierX): counted on its own, never alarmed, never enqueued again.
 */
export type HeldReason = 'due-not-redacted' | 'provider-cannot-redact';

export interface AuditVerdict {
  readonly state: AuditState;
  readonly reason?: HeldReason;
  readonly dueAt?: Date;
}

/**
 * The audit's verdict on one message of the provider's list at `dueBy` (the audit's clock less the
 * sweep's settle time), on the same rule as the pipeline: final, past the retention counted from the
 * provider's last change, and still holding a body.
 */
export function auditVerdict(message: ListedMessage, account: Account, dueBy: Date, lateStatusSeconds: number): AuditVerdict {
  if (message.hasBody === false) return { state: 'redacted' };
  const listedDue = dueAtOf(message, account);
  if (listedDue === undefined) return { state: 'not-final' };
  // Without an update time (SignalWire REST logs) the final status may have come as late as the
  // late-status window allows: the retention is counted from there, so the audit never enqueues early.
  const dueAt = message.updatedAt === undefined ? new Date(listedDue.getTime() + lateStatusSeconds * 1000) : listedDue;
  if (dueAt.getTime() > dueBy.getTime()) return { state: 'within-retention', dueAt };
  if (message.hasBody === 'unknown') return { state: 'unverifiable', dueAt };
  const reason: HeldReason = PROVIDER_CAPABILITIES[account.provider].expectsCannotRedact ? 'provider-cannot-redact' : 'due-not-redacted';
  return { state: 'held', reason, dueAt };
}
