/** What a test needs to see of the processes it started, read from /proc (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

/** Running (not zombie) processes named `comm` whose parent is this test process. */
export function runningChildren(comm: string): number {
  return readdirSync('/proc').filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm) ": state, then the parent pid.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes(`(${comm})`) && fields[0] !== 'Z' && fields[1] === String(process.pid);
    } catch {
      return false;
    }
  }).length;
}
