import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited meanwhile, or not on Linux
  }
}

/** Pids whose parent is `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === pid) out.push(Number(entry));
  }
  return out;
}

/** The parent of a process, or null when it is gone. */
export function parentOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : null;
}

/** The command name of a process (`comm`), or null when it is gone. */
export function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * CPU time (ms) a process tree has used so far: the process itself, its children already reaped (cutime,
 * cstime) and its live descendants. The difference of two readings is what a server (a Dovecot or
 * PostgreSQL master and the session processes it forks) spent meanwhile, sessions that ended included.
 */
export function treeCpuMs(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime are fields 14–17 of stat, 11–14 here.
  const own = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return own * TICK_MS + childrenOf(pid).reduce((sum, child) => sum + treeCpuMs(child), 0);
}
