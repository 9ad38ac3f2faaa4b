import { IN_PROGRESS, inProgressStatus, type SandboxMessage } from './sandbox-message';
import { NO_FAULTS, seededRandom, type FaultProfile } from './fault-profile';

/** A fault drawn for one request; each provider API turns it into its own error shape. */
export type Fault = { readonly kind: 'hang' } | { readonly kind: 'server-error'; readonly status: 500 | 503 } | { readonly kind: 'throttle'; readonly retryAfterSeconds: number };

/**
 * Draws the profile's faults from a seeded generator, so a run can be repeated: per request (hold,
 * 5xx, 429) and per message ("not final yet": a message that reads as in progress for its first
 * redaction attempts).
 */
export class FaultInjector {
  faults: FaultProfile;
  readonly #random: () => number;
  /** Remaining "not final yet" refusals per message. */
  readonly #notFinal = new Map<string, number>();

  constructor(options: { readonly faults?: FaultProfile; readonly seed?: number } = {}) {
    this.faults = options.faults ?? NO_FAULTS;
    this.#random = seededRandom(options.seed ?? 1);
  }

  /** The fault for this request, if one is drawn. */
  draw(): Fault | undefined {
    const f = this.faults;
    const draw = this.#random();
    if (draw < f.timeoutRate) return { kind: 'hang' };
    if (draw < f.timeoutRate + f.serverErrorRate) return { kind: 'server-error', status: this.#random() < 0.5 ? 500 : 503 };
    if (draw < f.timeoutRate + f.serverErrorRate + f.throttleRate) return { kind: 'throttle', retryAfterSeconds: f.retryAfterSeconds };
    return undefined;
  }

  /** The status a message shows: in progress while an injected "not final yet" fault lasts. */
  visibleStatus(message: SandboxMessage): string {
    return this.#notFinal.has(message.id) ? inProgressStatus(message.provider) : message.status;
  }

  /** Whether the message currently reads as in progress for its provider (redaction refused). */
  inProgress(message: SandboxMessage): boolean {
    return IN_PROGRESS[message.provider].has(this.visibleStatus(message));
  }

  /**
   * Counts a redaction attempt; true when it must be refused as "not final yet". The first attempt
   * decides (once per message) whether the fault applies; the message then reads as in progress
   * until the first attempt after its last refusal, so a read-back after a refusal agrees with it.
   */
  refuseAsNotFinal(message: SandboxMessage): boolean {
    if (message.redactAttempts === 0 && this.faults.notFinalAttempts > 0 && this.#random() < this.faults.notFinalRate) {
      this.#notFinal.set(message.id, this.faults.notFinalAttempts);
    }
    message.redactAttempts += 1;
    const left = this.#notFinal.get(message.id);
    if (left === undefined) return false;
    if (left > 0) {
      this.#notFinal.set(message.id, left - 1);
      return true;
    }
    this.#notFinal.delete(message.id);
    return false;
  }
}
