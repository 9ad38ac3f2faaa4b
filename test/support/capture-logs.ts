import { vi, type MockInstance } from 'vitest';

/** Captures everything written to stdout/stderr (our JSON logger, console.*) for assertions. */
export function captureOutput(): { lines: () => string[]; clear: () => void; restore: () => void } {
  const written: string[] = [];
  const spies: MockInstance[] = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }),
  );
  return {
    lines: () => written.join('').split('\n').filter((line) => line !== ''),
    clear: () => void written.splice(0),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** The secrets and PII a test planted, to check that none of them leaked into `texts`. */
export function findLeaks(texts: readonly string[], secrets: readonly string[]): string[] {
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}
