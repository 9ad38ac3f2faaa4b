import { execFileSync } from 'node:child_process';
import { isProcessAlive } from './process-alive';

/**
 * The processes that launched this one (`npm start` → `sh -c` → `tsx` → this node), nearest first:
 * the unbroken run of node, sh and npm processes above it, ending at the first npm (never past it:
 * the user's shell is not ours to watch). Killing npm does not stop its script's children, so the
 * local stack watches these and stops when one is gone. Uses `ps` (Linux and macOS); where it is
 * missing the list is empty and the signals still work.
 */
export function launcherProcessIds(): number[] {
  const launchers: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 6 && pid > 1; depth += 1) {
    const row = psRow(pid);
    if (row === undefined || !/^(node|sh|dash|tsx|npm.*)$/.test(row.command)) break;
    launchers.push(pid);
    if (row.command.startsWith('npm')) break;
    pid = row.parentPid;
  }
  return launchers;
}

/** Resolves once any of `pids` has exited (polled: a process cannot wait on one that is not its child). */
export function whenAnyExits(pids: readonly number[], intervalMs = 1_000): { readonly exited: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => {
    if (pids.length === 0) return;
    timer = setInterval(() => {
      if (pids.some((pid) => !isProcessAlive(pid))) resolve();
    }, intervalMs);
    timer.unref();
  });
  return { exited, cancel: () => clearInterval(timer) };
}

function psRow(pid: number): { parentPid: number; command: string } | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'ppid=,comm=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const match = /^(\d+)\s+(.+)$/.exec(out);
    return match ? { parentPid: Number(match[1]), command: match[2]!.trim() } : undefined;
  } catch {
    return undefined;
  }
}
