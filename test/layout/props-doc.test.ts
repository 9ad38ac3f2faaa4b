import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The names of an interface's `readonly` members, read from its source. */
function propNames(file: string, iface: string): string[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const start = source.indexOf(`export interface ${iface} {`);
  expect(start, `${iface} in ${file}`).toBeGreaterThan(-1);
  const body = source.slice(start, source.indexOf('\n}\n', start));
  return [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((match) => match[1]!);
}

describe('Docs: the configuration page', () => {
  it('has a row for every construct prop, the sweep and the audit props included', () => {
    const page = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
    const rows = new Set([...page.matchAll(/^\| `([\w.]+)` \|/gm)].map((match) => match[1]!));
    const props = [
      ...propNames('infra/message-redactor.ts', 'MessageRedactorProps'),
      ...propNames('infra/reconciliation-sweep.ts', 'ReconciliationSweepProps').map((name) => `sweep.${name}`),
      ...propNames('infra/reconciliation-sweep.ts', 'AuditProps').map((name) => `sweep.audit.${name}`),
    ];
    expect(props.length).toBeGreaterThan(35);
    expect(props.filter((prop) => !rows.has(prop))).toEqual([]);
  });
});
