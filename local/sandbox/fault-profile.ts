/**
 * Faults the sandbox injects into its provider APIs. Rates are probabilities per request (0..1),
 * drawn from a seeded generator so a run can be repeated.
 */
export interface FaultProfile {
  /** Added to every API answer. */
  readonly latencyMs: number;
  /** Answer 500/503. */
  readonly serverErrorRate: number;
  /** Answer 429 with Retry-After. */
  readonly throttleRate: number;
  readonly retryAfterSeconds: number;
  /** Hold the request without answering (the client's timeout must fire). */
  readonly timeoutRate: number;
  /** Share of messages whose first `notFinalAttempts` redactions are refused as "not final yet". */
  readonly notFinalRate: number;
  readonly notFinalAttempts: number;
  /** Callback faults (the callback sender): send twice, send out of order, never send. */
  readonly duplicateCallbackRate: number;
  readonly reorderCallbackRate: number;
  readonly dropCallbackRate: number;
  /** Share of messages whose last status callback (the final status) is never sent. */
  readonly dropFinalCallbackRate: number;
}

export const NO_FAULTS: FaultProfile = {
  latencyMs: 0,
  serverErrorRate: 0,
  throttleRate: 0,
  retryAfterSeconds: 1,
  timeoutRate: 0,
  notFinalRate: 0,
  notFinalAttempts: 0,
  duplicateCallbackRate: 0,
  reorderCallbackRate: 0,
  dropCallbackRate: 0,
  dropFinalCallbackRate: 0,
};

/** Named profiles for `npm start -- --faults <name>` and the tests. */
export const FAULT_PROFILES = {
  none: NO_FAULTS,
  /** A realistic bad day: some latency, a few errors and throttles, duplicates and reordering. */
  flaky: {
    ...NO_FAULTS,
    latencyMs: 20,
    serverErrorRate: 0.05,
    throttleRate: 0.05,
    timeoutRate: 0.01,
    notFinalRate: 0.05,
    notFinalAttempts: 1,
    duplicateCallbackRate: 0.1,
    reorderCallbackRate: 0.1,
  },
  /** The chaos run's default mix. */
  chaos: {
    ...NO_FAULTS,
    latencyMs: 5,
    serverErrorRate: 0.2,
    throttleRate: 0.1,
    timeoutRate: 0.05,
    notFinalRate: 0.05,
    notFinalAttempts: 1,
    duplicateCallbackRate: 0.1,
    reorderCallbackRate: 0.1,
  },
} as const satisfies Record<string, FaultProfile>;

export type FaultProfileName = keyof typeof FAULT_PROFILES;

/** Mulberry32: tiny, fast, seeded; good enough to draw fault decisions reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
