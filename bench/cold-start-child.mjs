// Child process of cold-import.ts: what a Lambda cold start does with our bundle. Imports the bundle
// given as argv[2] (module scope runs: config parsing, SDK clients), invokes its handler once with
// the event in BENCH_EVENT (lazy imports and first connections happen here), prints one
// `bench-result {...}` line (the handlers' own JSON logs go to stdout too) and exits.
const started = performance.now();
const { handler } = await import(process.argv[2]);
const imported = performance.now();
// Lambda passes a context: the redactor reads the time left from it, and every handler its request id.
const context = { awsRequestId: '6bc28136-4f1c-4b6a-9c1d-2e5f8a7b3c90', getRemainingTimeInMillis: () => 30_000 };
const result = await handler(JSON.parse(process.env.BENCH_EVENT ?? '{}'), context);
const invoked = performance.now();
process.stdout.write(`bench-result ${JSON.stringify({ result, importMs: imported - started, invokeMs: invoked - imported })}\n`);
process.exit(0);
