import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process accounting from /proc, for benches that must tell weisu's CPU from its stand-ins' (an RTSP
 * server playing the cameras): a process's own clock and the clocks of the children it has reaped.
 */
const TICK_MS = 1000 / 100; // USER_HZ

export interface ProcStat {
  comm: string;
  ppid: number;
  /** utime + stime, ms. */
  own: number;
  /** cutime + cstime (children waited for), ms. */
  children: number;
}

export function procStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) * TICK_MS, children: (Number(f[13]) + Number(f[14])) * TICK_MS };
  } catch {
    return undefined; // gone meanwhile
  }
}

function rssBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** A process's children, by the kernel's list per thread: cheap, where scanning all of /proc costs this process visibly. */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return []; // gone meanwhile
  }
}

export interface TreeSnapshot {
  /** CPU-ms by command name, each process counted with the children it reaped. */
  cpuByName: Map<string, number>;
  rss: number;
}

/**
 * This process and all its descendants except the `exclude` pids and theirs: CPU by command name and the
 * summed RSS. Each process counts its own clock plus its reaped children's, so a decoder that exits between
 * two snapshots moves into its parent's count instead of vanishing: the difference of two snapshots is the
 * tree's CPU in between (by name, an exited process is booked under its parent's name).
 */
export function treeSnapshot(exclude: Set<number>): TreeSnapshot {
  const cpuByName = new Map<string, number>();
  let rss = 0;
  const todo = [process.pid];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    if (exclude.has(pid)) continue;
    const s = procStat(pid);
    if (!s) continue;
    cpuByName.set(s.comm, (cpuByName.get(s.comm) ?? 0) + s.own + s.children);
    rss += rssBytes(pid);
    todo.push(...childPids(pid));
  }
  return { cpuByName, rss };
}

/** CPU-ms between two snapshots, in all and by command name (largest first). */
export function cpuBetween(a: TreeSnapshot, b: TreeSnapshot): { total: number; byName: [string, number][] } {
  const names = new Set([...a.cpuByName.keys(), ...b.cpuByName.keys()]);
  const byName = [...names].map((n): [string, number] => [n, (b.cpuByName.get(n) ?? 0) - (a.cpuByName.get(n) ?? 0)]).sort((x, y) => y[1] - x[1]);
  return { total: byName.reduce((s, [, ms]) => s + ms, 0), byName };
}
