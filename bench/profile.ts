import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * A V8 CPU profile of this process's JavaScript thread (native calls such as onnxruntime's session.run
 * are booked to the JS function that made them; child processes are not in it). `stop` writes the
 * .cpuprofile (Chrome DevTools and speedscope read it) and returns the functions with the most self time.
 */
export interface ProfileEntry {
  fn: string;
  selfMs: number;
  /** Of the busy time (all samples but idle ones). */
  share: number;
}

export async function startCpuProfile(): Promise<{ stop(file: string, top?: number): Promise<ProfileEntry[]> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file, top = 10) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      // Self time of a node is the time of the samples that landed in it; one function (name and script) may be
      // many nodes, one per call path. A native function (no script) is named with its caller, or every binding would be one "(anonymous)".
      const parent = new Map<number, number>();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const label = (id: number): string => {
        const { functionName, url } = byId.get(id)!.callFrame;
        const name = functionName || '(anonymous)';
        if (url) return `${name} ${url.replace(/^file:\/\//, '')}`;
        const up = parent.get(id);
        return name.startsWith('(') && name !== '(anonymous)' ? name : `${name} (native, from ${up === undefined || byId.get(up)!.callFrame.functionName === '(root)' ? '?' : label(up)})`;
      };
      const nodeFn = new Map(profile.nodes.map((n) => [n.id, label(n.id)]));
      const selfUs = new Map<string, number>();
      const deltas = profile.timeDeltas ?? [];
      (profile.samples ?? []).forEach((id, i) => {
        const fn = nodeFn.get(id)!;
        selfUs.set(fn, (selfUs.get(fn) ?? 0) + (deltas[i] ?? 0));
      });
      // Not costs of the code profiled: the thread waiting for work, and the profiler's own calls.
      for (const fn of selfUs.keys()) if (fn === '(idle)' || fn.includes('node:inspector')) selfUs.delete(fn);
      const total = [...selfUs.values()].reduce((s, us) => s + us, 0) || 1;
      return [...selfUs.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([fn, us]) => ({ fn, selfMs: us / 1000, share: us / total }));
    },
  };
}
