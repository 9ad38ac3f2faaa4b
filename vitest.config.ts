import { defineConfig } from 'vitest/config';
import { ClosingLineReporter } from './test/support/closing-line-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The handlers, built once as `npm run build` builds them: every synth in the tests deploys those files.
    globalSetup: ['test/support/build-handlers.setup.ts'],
    environment: 'node',
    // Tests and tools run on Node 20; the functions run on Lambda's nodejs24.x. The AWS SDK's notice
    // that its 2027 releases need Node 22 is about the machine, not the product: printed once per
    // process it buried test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', new ClosingLineReporter()],
    // CDK synth and esbuild bundling are CPU-heavy; two cores here and in CI.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
