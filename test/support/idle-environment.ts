import { vi } from 'vitest';

let idleClock = 0;

/**
 * Runs `run` an hour after the previous call (Date only, timers stay real). The functions sum routine
 * metrics per environment and write everything at the end of an invocation that follows an idle
 * spell, so the metrics of `run` are on stdout when it returns. Afterwards the real clock is behind
 * the buffer's last invocation, which it also treats as idle (a clock that went back): the next
 * real-time invocation writes everything too.
 */
export async function afterIdle<T>(run: () => Promise<T>): Promise<T> {
  idleClock = Math.max(idleClock, Date.now()) + 3_600_000;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(idleClock);
  try {
    return await run();
  } finally {
    vi.useRealTimers();
  }
}
