import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { WeisuConfig } from '../config/schema.js';
import { WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';

/**
 * `weisu serve --workers N`: N detection workers as child processes, so nothing a camera does to a worker
 * (a parser spinning, a native call that never returns) can stop the API, the scheduler or the outbox,
 * which keep serve's own event loop. Each child beats over IPC from its event loop; a child silent for
 * `silenceMs` is stuck: its whole process group (it and its ffmpeg) is SIGKILLed, serve is told which
 * cameras it held (`onStuck`), and a new child takes its place. A child that crashes is replaced too,
 * with a growing pause if it keeps crashing. Each child is a process group of its own, so a signal to
 * serve's group (Ctrl-C) reaches serve alone, and serve drains its children before the Redis they use.
 */
export type ToWorker = { type: 'start'; config: WeisuConfig; redisUrl: string; id: string } | { type: 'stop'; drainMs: number };
export type FromWorker = { type: 'beat'; holding: string[]; metrics: string } | { type: 'ready' } | { type: 'failed'; message: string };

/** How often a worker process beats. */
export const BEAT_EVERY_MS = 1000;
/** Before its first beat a new process may be loading (node, modules): it gets this long. */
const FIRST_BEAT_MS = 60_000;
const MAX_RESTART_PAUSE_MS = 30_000;
/** After its drain, a child has this long to let go of models and connections before it is killed (or ends itself). */
export const CLOSE_GRACE_MS = 3000;

export interface WorkerPoolOptions {
  size: number;
  /** The module each child runs (it answers the FromWorker/ToWorker protocol). */
  entry: string;
  config: WeisuConfig;
  redisUrl: string;
  /** A child silent this long is stuck (`workers.watchdog`, default ten missed beats: no busy machine delays a timer that much). */
  silenceMs: number;
  /** After a stuck child was killed: which worker, the cameras whose samples it held, how long it was silent. */
  onStuck(stuck: { workerId: string; cameras: string[]; silentMs: number }): Promise<void>;
}

interface Slot {
  id: string;
  child: ChildProcess;
  startedAt: number;
  lastBeat?: number;
  holding: string[];
  metrics: string;
  exited: Promise<void>;
  /** Killed by the watchdog: not judged again while it goes. */
  killed?: boolean;
}

export class WorkerPool {
  private readonly slots: (Slot | undefined)[] = [];
  private readonly crashes: number[] = [];
  private watchdog?: NodeJS.Timeout;
  private closing = false;
  private readonly killAll = () => {
    for (const s of this.slots) if (s) killGroup(s.child);
  };

  constructor(private readonly opts: WorkerPoolOptions) {}

  /** Starts every child and resolves once all are taking jobs; rejects (stopping the others) if one cannot start. */
  async start(): Promise<void> {
    // A forced exit of serve (second signal, crash) takes the children with it.
    process.once('exit', this.killAll);
    try {
      await Promise.all(Array.from({ length: this.opts.size }, (_, i) => this.spawn(i)));
    } catch (e) {
      await this.close(0);
      throw e;
    }
    this.watchdog = setInterval(() => this.check(), BEAT_EVERY_MS);
  }

  /** The children's own Prometheus text (each labelled by its worker id), as of their latest beat. */
  metricsText(): string {
    return this.slots.map((s) => s?.metrics ?? '').join('');
  }

  /** Worker ids and process ids of the children now running. */
  workers(): { id: string; pid: number }[] {
    return this.slots.flatMap((s) => (s?.child.pid ? [{ id: s.id, pid: s.child.pid }] : []));
  }

  /** Asks every child to drain (at most `drainMs`), then kills what is left; no child is replaced meanwhile. */
  async close(drainMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    await Promise.all(
      this.slots.map(async (s) => {
        if (!s) return;
        send(s.child, { type: 'stop', drainMs });
        const t = setTimeout(() => killGroup(s.child), drainMs + CLOSE_GRACE_MS);
        await s.exited;
        clearTimeout(t);
        // Whatever the child itself started (ffmpeg) goes with it.
        killGroup(s.child);
      }),
    );
    process.off('exit', this.killAll);
  }

  private spawn(index: number): Promise<void> {
    const id = `${hostname()}-${process.pid}-w${index}-${randomBytes(2).toString('hex')}`;
    const child = fork(this.opts.entry, [], { detached: true, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const slot: Slot = { id, child, startedAt: Date.now(), holding: [], metrics: '', exited };
    this.slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      child.on('message', (m: FromWorker) => {
        if (m.type === 'beat') Object.assign(slot, { lastBeat: Date.now(), holding: m.holding, metrics: m.metrics });
        else if (m.type === 'ready') {
          ready = true;
          this.crashes[index] = 0;
          log.info({ worker: id, pid: child.pid }, 'detection worker process started');
          resolve();
        } else if (m.type === 'failed') reject(new WeisuError('worker_start_failed', `detection worker process could not start: ${m.message}`));
      });
      child.once('exit', (code, signal) => {
        if (!ready) reject(new WeisuError('worker_start_failed', `detection worker process exited while starting (${signal ?? `code ${code}`})`));
        if (this.slots[index] === slot) this.slots[index] = undefined;
        if (this.closing) return;
        log.warn({ worker: id, pid: child.pid, code, signal }, 'detection worker process exited: starting another');
        this.replace(index);
      });
      send(child, { type: 'start', config: this.opts.config, redisUrl: this.opts.redisUrl, id });
    });
  }

  /** Starts a child in the slot again, pausing longer each time it fails in a row. */
  private replace(index: number): void {
    const n = (this.crashes[index] = (this.crashes[index] ?? 0) + 1);
    const pause = Math.min(MAX_RESTART_PAUSE_MS, 500 * 2 ** (n - 1));
    setTimeout(() => {
      if (this.closing) return;
      this.spawn(index).catch((e: Error) => log.error({ err: e.message }, 'detection worker process did not start; trying again'));
    }, pause).unref();
  }

  private check(): void {
    const now = Date.now();
    const silenceMs = this.opts.silenceMs;
    for (const s of this.slots) {
      if (!s || s.killed || s.child.exitCode !== null || s.child.signalCode !== null) continue;
      const silentMs = now - (s.lastBeat ?? s.startedAt);
      if (silentMs <= (s.lastBeat === undefined ? FIRST_BEAT_MS : silenceMs)) continue;
      const cameras = s.holding;
      log.error({ worker: s.id, pid: s.child.pid, silentMs, cameras }, 'detection worker process stopped answering: killing and replacing it');
      s.killed = true;
      killGroup(s.child);
      // Recorded once the process is surely gone: it can no longer write a health of its own over this one.
      void s.exited.then(() => this.opts.onStuck({ workerId: s.id, cameras, silentMs })).catch((e: Error) => log.warn({ err: e.message }, 'could not record the stuck worker'));
    }
  }
}

function send(child: ChildProcess, m: ToWorker): void {
  if (child.connected) child.send(m, (e) => e && log.debug({ err: e.message }, 'worker process gone before a message reached it'));
}

/** SIGKILL to the child's process group: the child and whatever it started. */
function killGroup(child: ChildProcess): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
