import type { Account } from '../config/config';
import type { CoveragePlan } from './coverage-checkpoint';
import type { ListedMessage } from './listed-message';
import { redactionBasis, secondsUntilRedaction } from '../redaction/redaction-rule';

/**
 * A message a run listed before it was due, kept in the checkpoint store so that no later run has to
 * list it again. Ids, statuses and instants only: never a body, a number or a token.
 * - `due`: final, inside its retention. Enqueued by the run whose due range holds `at` (when its
 *   retention started), with no further call to the provider.
 * - `check`: not final yet, or final only by the `sent` age rule. Read again by id at `at`, then
 *   decided like a listed message.
 */
export interface DeferredMessage {
  readonly kind: 'due' | 'check';
  readonly route: string;
  readonly messageId: string;
  readonly at: string;
  readonly status: string;
  readonly media: boolean;
  /** When the provider sent (or created) it: a re-check stops once the late-status window is over. */
  readonly sentAt: string;
  /**
   * A re-check only: a run saw it not final at this instant, so it became final later. Its retention
   * never starts before this, even where the provider gives no update time (SignalWire REST).
   */
  readonly notFinalAt?: string;
}

/** What a run does with a message it listed or re-read. */
export type CoverageDecision =
  | { readonly kind: 'redact' }
  | { readonly kind: 'defer'; readonly entry: DeferredMessage }
  | { readonly kind: 'skip'; readonly reason: CoverageSkipReason };

export type CoverageSkipReason =
  | 'body-empty'
  | 'media-only'
  /** Still not final once the late-status window is over: left to the audit, which reports it. */
  | 'not-terminal';

/** Settings the decision needs besides the account's. */
export interface CoverageTimings {
  readonly intervalSeconds: number;
  readonly lateStatusSeconds: number;
  readonly settleSeconds: number;
}

const SECOND = 1000;
/** A message not final when listed is read again at every run for this long after its sending… */
export const RECHECK_EVERY_RUN_MS = 24 * 3_600_000;
/** …then this often, until the late-status window ends: a day-late receipt waits at most this long. */
export const RECHECK_LATER_MS = 4 * 3_600_000;

/**
 * The coverage run's decision for one message, on the same rule as the callbacks: redact what is
 * final, past its retention and still holds a body; remember what will be due later, so it is
 * enqueued on time without another listing; re-read what is not final yet, until the late-status
 * window is over. Deferred instants lie past this run's own bounds, so a later run takes them.
 */
export function decideCoverage(
  message: ListedMessage,
  account: Account,
  plan: CoveragePlan,
  timings: CoverageTimings,
  notFinalAt?: string,
): CoverageDecision {
  if (message.hasBody === false) return { kind: 'skip', reason: message.mediaCount > 0 ? 'media-only' : 'body-empty' };
  const sentAt = (message.sentAt ?? message.createdAt).getTime();
  const dueBy = Date.parse(plan.dueBy);
  const basis = redactionBasis({ provider: account.provider, status: message.status, hasMedia: message.mediaCount > 0, inbound: message.inbound }, account);
  const entry = (kind: DeferredMessage['kind'], at: number): CoverageDecision => ({
    kind: 'defer',
    entry: {
      kind,
      route: account.route,
      messageId: message.id,
      // Never inside a range this run covers: a retention made longer between runs only delays it.
      at: new Date(Math.max(at, Date.parse(kind === 'due' ? plan.dueTo : plan.checkTo) + 1)).toISOString(),
      status: message.status,
      media: message.mediaCount > 0,
      sentAt: new Date(sentAt).toISOString(),
      // Seen not final (or only `sent`) by this run: whatever it turns into, it turned after this.
      ...(kind === 'check' ? { notFinalAt: plan.clock } : {}),
    },
  });
  if (basis === 'terminal') {
    // The provider's last change bounds when it became final from above: the retention never starts
    // early. Without one (SignalWire REST logs) only this run's clock does: it was final by then.
    const lastChange = message.updatedAt?.getTime() ?? Date.parse(plan.clock);
    const anchor = Math.max(lastChange, notFinalAt === undefined ? 0 : Date.parse(notFinalAt));
    return anchor + secondsUntilRedaction(basis, account) * SECOND <= dueBy ? { kind: 'redact' } : entry('due', anchor);
  }
  if (basis === 'sent-age') {
    const due = sentAt + secondsUntilRedaction(basis, account) * SECOND;
    // Re-read when the age is reached: a receipt that came in the meantime restarts the retention.
    return due <= dueBy ? { kind: 'redact' } : entry('check', due);
  }
  const clock = Date.parse(plan.clock);
  const lateEnd = sentAt + timings.lateStatusSeconds * SECOND;
  if (clock >= lateEnd) return { kind: 'skip', reason: 'not-terminal' };
  // Every run for its first day (receipts mostly come within the hour), then every few hours, with a
  // last look when the late-status window ends. The next run takes checks up to its own due-by, its
  // clock less the settle time.
  const wait = clock - sentAt < RECHECK_EVERY_RUN_MS
    ? timings.intervalSeconds * SECOND - timings.settleSeconds * SECOND
    : Math.max(RECHECK_LATER_MS, timings.intervalSeconds * SECOND) - timings.settleSeconds * SECOND;
  return entry('check', Math.min(clock + Math.max(wait, SECOND), lateEnd));
}
