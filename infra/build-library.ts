import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import ts from 'typescript';
import { PACKAGE_ROOT } from './handler-assets';

/** The package's library: the construct and its types, for a consumer's CDK app. */
export const LIBRARY_ENTRY = 'infra/index.ts';
export const LIBRARY_DIR = path.join(PACKAGE_ROOT, 'dist', 'lib');
export const TYPES_DIR = path.join(PACKAGE_ROOT, 'dist', 'types');
export const BIN_DIR = path.join(PACKAGE_ROOT, 'dist', 'bin');

/** The operator commands the package ships as `bin` entries (`npx message-redactor-sweep …`), by their source. */
export const BIN_ENTRIES = {
  'message-redactor-dlq': 'cli/dlq.ts',
  'message-redactor-sweep': 'cli/sweep.ts',
  'message-redactor-smoke': 'cli/smoke.ts',
  'message-redactor-trigger': 'cli/trigger.ts',
} as const;

/** The consumer brings these (peer dependencies): one aws-cdk-lib and one constructs in their app. */
const PEERS = ['aws-cdk-lib', 'constructs'];

const COMMON: BuildOptions = {
  entryPoints: [path.join(PACKAGE_ROOT, LIBRARY_ENTRY)],
  bundle: true,
  platform: 'node',
  target: 'node20',
  absWorkingDir: PACKAGE_ROOT,
  external: PEERS.flatMap((name) => [name, `${name}/*`]),
  logLevel: 'error',
};

/**
 * Builds the library twice, ESM (`index.mjs`) and CommonJS (`index.cjs`), so apps of either kind load
 * it, and its declarations (`dist/types`), whose relative imports carry `.js` so that NodeNext,
 * Node16, Bundler and CommonJS resolution all find them.
 */
export async function buildLibrary(): Promise<void> {
  await rm(LIBRARY_DIR, { recursive: true, force: true });
  await rm(TYPES_DIR, { recursive: true, force: true });
  await build({ ...COMMON, format: 'esm', outfile: path.join(LIBRARY_DIR, 'index.mjs') });
  await build({
    ...COMMON,
    format: 'cjs',
    outfile: path.join(LIBRARY_DIR, 'index.cjs'),
    // The construct finds its handlers from its own file: `import.meta.url` in CommonJS terms.
    define: { 'import.meta.url': '__message_redactor_url' },
    banner: { js: "const __message_redactor_url = require('node:url').pathToFileURL(__filename).href;" },
  });
  emitDeclarations();
  await addJsExtensions(TYPES_DIR);
  await rm(BIN_DIR, { recursive: true, force: true });
  for (const [name, entry] of Object.entries(BIN_ENTRIES)) {
    await build({
      entryPoints: [path.join(PACKAGE_ROOT, entry)],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      absWorkingDir: PACKAGE_ROOT,
      // The package's dependencies are installed beside it: the commands use them, as the repository does.
      packages: 'external',
      outfile: path.join(BIN_DIR, `${name}.mjs`),
      banner: { js: '#!/usr/bin/env node' },
      logLevel: 'error',
    });
  }
}

function emitDeclarations(): void {
  const config = ts.readConfigFile(path.join(PACKAGE_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, PACKAGE_ROOT);
  const program = ts.createProgram([path.join(PACKAGE_ROOT, LIBRARY_ENTRY)], {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: false,
    outDir: TYPES_DIR,
    rootDir: PACKAGE_ROOT,
  });
  const result = program.emit();
  const problems = ts.getPreEmitDiagnostics(program).concat(result.diagnostics).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0) throw new Error(ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => PACKAGE_ROOT, getNewLine: () => '\n' }));
}

/** `from './x'` → `from './x.js'` (or `./x/index.js`) in every emitted declaration. */
async function addJsExtensions(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    const fixed = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g, (_match, lead: string, quote: string, specifier: string) => {
      if (/\.(js|json)$/.test(specifier)) return `${lead}${quote}${specifier}${quote}`;
      return `${lead}${quote}${specifier}.js${quote}`;
    });
    if (fixed !== text) await writeFile(file, fixed);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildLibrary();
  process.stdout.write(`library  ${path.relative(PACKAGE_ROOT, LIBRARY_DIR)}/index.{mjs,cjs}, types ${path.relative(PACKAGE_ROOT, TYPES_DIR)}/\n`);
}
