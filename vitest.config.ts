import { defineConfig } from 'vitest/config';
import { ClosingLineReporter } from './test/support/closing-line-reporter.ts';

/**
 * Tests that start servers, processes or a whole local stack: the end-to-end runs, the operator
 * commands, the local stack and sandbox, the real `cdk synth` and the API docs generator.
 */
const E2E = ['test/e2e/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/local/**/*.test.ts', 'test/infra/cdk-synth.test.ts', 'test/layout/api-docs.test.ts'];

export default defineConfig({
  test: {
    // The handlers, built once as `npm run build` builds them: every synth in the tests deploys those files.
    globalSetup: ['test/support/build-handlers.setup.ts'],
    environment: 'node',
    // Tests and tools run on Node 20; the functions run on Lambda's nodejs24.x. The AWS SDK's notice
    // that its 2027 releases need Node 22 is about the machine, not the product: printed once per
    // process it buried test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', new ClosingLineReporter()],
    // `npm test` runs both; `npm run test:unit` the fast, in-process part alone.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: E2E,
          // In process, no servers of their own: a test that needs longer is stuck. CDK synth with
          // cdk-nag is the slowest (a few seconds on two cores).
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          // Whole local stacks, processes and bundling on two cores here and in CI.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
