import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // CDK synth and esbuild bundling are CPU-heavy; two cores here and in CI.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
