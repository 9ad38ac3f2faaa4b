import path from 'node:path';

interface LockedPackage {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  inBundle?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface PackageLock {
  name?: string;
  lockfileVersion: number;
  packages: Record<string, LockedPackage>;
}

/** Where Node (and npm's tree) finds `name` from the package installed at `from`: nearest node_modules first. */
function resolveInLock(packages: PackageLock['packages'], from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent === -1 ? '' : dir.slice(0, parent);
  }
}

/**
 * A lock file for a consumer app holding exactly what `roots` need, taken from this repository's lock
 * (same versions, same integrity hashes, same tree shape), so `npm ci --offline` installs it from the
 * npm cache that this repository's own `npm ci` filled: a real install with no network.
 */
export function consumerLockfile(repoLock: PackageLock, rootPackage: { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> }, extra: Record<string, LockedPackage>): PackageLock {
  const source = { ...repoLock.packages, ...extra };
  const picked = new Map<string, LockedPackage>();
  const queue: string[] = [];
  const want = (from: string, name: string, optional: boolean) => {
    const at = resolveInLock(source, from, name);
    if (!at) {
      if (optional) return;
      throw new Error(`the lock file has no ${name} reachable from ${from || 'the root'}`);
    }
    if (!picked.has(at)) { picked.set(at, source[at]!); queue.push(at); }
  };
  for (const name of [...Object.keys(rootPackage.dependencies), ...Object.keys(rootPackage.devDependencies)]) want('', name, false);
  while (queue.length > 0) {
    const at = queue.shift()!;
    const entry = picked.get(at)!;
    for (const name of Object.keys(entry.dependencies ?? {})) want(at, name, false);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) want(at, name, true);
    for (const name of Object.keys(entry.peerDependencies ?? {})) want(at, name, entry.peerDependenciesMeta?.[name]?.optional === true);
  }
  const packages: PackageLock['packages'] = { '': { name: rootPackage.name, version: rootPackage.version, dependencies: rootPackage.dependencies, devDependencies: rootPackage.devDependencies } };
  for (const at of [...picked.keys()].sort()) {
    // npm recomputes dev/peer flags from the consumer's own manifest; the repository's would be wrong here.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = picked.get(at)!;
    packages[at] = entry;
  }
  return { name: rootPackage.name, lockfileVersion: 3, packages };
}

export const tarballSpec = (app: string, tarball: string) => `file:${path.relative(app, tarball)}`;
