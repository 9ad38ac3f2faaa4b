// The embedded default (local HTTP server, local queue, provider sandbox) is not built yet: say so
// plainly instead of pretending to run.
process.stderr.write(
  [
    'message-redactor: local mode is not available yet.',
    'What works today: the Twilio pipeline, proven end to end by the test suite.',
    '  npm test            run every test, including test/e2e (receiver -> queue -> redactor -> Twilio API on 127.0.0.1)',
    '  npm run synth       synthesize the CloudFormation template offline',
    '',
  ].join('\n'),
);
process.exitCode = 1;
