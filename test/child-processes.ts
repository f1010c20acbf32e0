/** What a test needs to see of the processes it started, read from /proc (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

/** The pids of the running (not zombie) processes named `comm` whose parent is this test process. */
function childPids(comm: string): string[] {
  return readdirSync('/proc').filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm) ": state, then the parent pid.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes(`(${comm})`) && fields[0] !== 'Z' && fields[1] === String(process.pid);
    } catch {
      return false;
    }
  });
}

/** How many running processes named `comm` this test process started. */
export function runningChildren(comm: string): number {
  return childPids(comm).length;
}

/** The environment of each running process named `comm` that this test process started. */
export function childEnvironments(comm: string): Record<string, string>[] {
  return childPids(comm).flatMap((pid) => {
    try {
      const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      return [Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))];
    } catch {
      // Ended in between.
      return [];
    }
  });
}
