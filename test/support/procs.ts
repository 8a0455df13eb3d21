import { readdirSync, readFileSync } from 'node:fs';

/**
 * What /proc says about processes, for tests that check nothing is left behind: a process's group, its
 * children, every process of a group. Read straight from /proc/<pid>/stat (fields after the command name,
 * which may itself hold spaces or parentheses).
 */
interface Stat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]) };
  } catch {
    return undefined;
  }
}

function all(): Stat[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => stat(Number(d)) ?? []);
}

/** A live process's group id (undefined once it is gone or only a zombie). */
export function processGroup(pid: number): number | undefined {
  const s = stat(pid);
  return s && s.state !== 'Z' ? s.pgid : undefined;
}

export function isRunning(pid: number): boolean {
  return processGroup(pid) !== undefined;
}

/** Every live descendant of `pid` (children, their children...). */
export function descendants(pid: number): Stat[] {
  const procs = all().filter((p) => p.state !== 'Z');
  const out: Stat[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

/** Live processes in any of these groups. */
export function inGroups(pgids: Iterable<number>): Stat[] {
  const want = new Set(pgids);
  return all().filter((p) => p.state !== 'Z' && want.has(p.pgid));
}

/** The command line of a process ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}
