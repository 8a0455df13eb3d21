import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MEDIA_DIR, MODELS_DIR } from './paths.js';

/**
 * `weisu COMMAND ...` as a real child process (node + tsx on the sources), for tests of the processes
 * themselves: serve, worker, status. Output is kept for assertions and printed when a test fails.
 */
export interface WeisuProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `re` in the output (past or future); rejects after `ms` or on exit. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `detached`: in a process group of its own (as a shell runs a command), for signals sent to the whole group. */
export function spawnWeisu(args: string[], env: Record<string, string | undefined> = {}, opts: { detached?: boolean } = {}): WeisuProcess {
  return spawnTs('cli/main.ts', args, env, `weisu ${args[0]}`, opts);
}

/** A TypeScript entry point of this repository (path from its root) as a child process, watched like `weisu`. */
export function spawnTs(entry: string, args: string[], env: Record<string, string | undefined> = {}, name = entry, opts: { detached?: boolean } = {}): WeisuProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, WEISU_MODELS_DIR: MODELS_DIR, WEISU_MEDIA_DIR: MEDIA_DIR, WEISU_LOG_LEVEL: 'info', ...env };
  delete childEnv.VITEST; // the child logs like a real process
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });
  return {
    child,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitFor(re, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) finish(() => resolve(m));
          else if (done) finish(() => reject(new Error(`${name} exited before printing ${re}:\n${out.slice(-3000)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${re} within ${ms} ms:\n${out.slice(-3000)}`))), ms);
        const finish = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Polls `cond` until it holds; throws `what` after `ms`. */
export async function eventually<T>(cond: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string | (() => string)): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${typeof what === 'function' ? what() : what} (not within ${ms} ms)${last ? `: ${(last as Error).message}` : ''}`);
}
