import { defineConfig } from 'vitest/config';
import { ClosingLineReporter } from './test/support/closing-line-reporter';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: ['default', new ClosingLineReporter()],
    // CDK synth and esbuild bundling are CPU-heavy; two cores here and in CI.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
