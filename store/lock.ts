import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { WeisuError } from '../core/errors.js';

/**
 * The embedded store has one owner. PGlite opened by two processes at once corrupts or silently forks
 * the data (a token issued by the second is never seen by the first), so the process that opens it
 * writes `<data_dir>/db.lock` with its pid first and everyone else is refused, with who holds it and,
 * for `weisu serve`, the URL its API answers on (the way to make the change instead).
 */
export interface LockHolder {
  pid: number;
  /** The weisu command that holds it (`serve`, `users`...). */
  command: string;
  since: string;
  /** Where the holder's API answers, once it listens. */
  url?: string;
}

/** The store is held by another live process. */
export class StoreBusyError extends WeisuError {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder,
    fix?: string,
  ) {
    super('store_busy', `the embedded store is in use by \`weisu ${holder.command}\` (pid ${holder.pid}, since ${holder.since}${holder.url ? `, API at ${holder.url}` : ''}); two processes must never open it`, {
      field: 'data_dir',
      fix: fix ?? (holder.url ? `use the running server's API at ${holder.url}, or stop it first` : `stop pid ${holder.pid} first, or set DATABASE_URL to share a PostgreSQL server`),
    });
  }
}

export interface StoreLock {
  readonly path: string;
  /** Adds what others should know (the API URL) to the lock file. */
  update(extra: Pick<LockHolder, 'url'>): void;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the lock at `path`, if a live process does (a lock left by a dead one is stale). */
export function lockHolder(path: string): LockHolder | undefined {
  let holder: LockHolder;
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
  return Number.isInteger(holder.pid) && alive(holder.pid) ? holder : undefined;
}

/** Takes the lock at `path` for this process, or throws StoreBusyError naming the holder. */
export function acquireStoreLock(path: string, command = process.argv[2] ?? 'node'): StoreLock {
  let mine: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
  const take = () => {
    try {
      // wx: created only if absent, atomically, so two starters cannot both win.
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return false;
    }
  };
  if (!take()) {
    const holder = lockHolder(path);
    if (holder) throw new StoreBusyError(path, holder);
    // Left by a process that is gone (killed, crashed): take it over, unless another starter just did.
    rmSync(path, { force: true });
    if (!take()) throw new StoreBusyError(path, lockHolder(path) ?? { pid: 0, command: 'another process', since: new Date().toISOString() });
  }
  const ours = () => lockHolder(path)?.pid === process.pid;
  const release = () => {
    process.off('exit', release);
    if (ours()) rmSync(path, { force: true });
  };
  // A process that ends without closing the store (an uncaught error) leaves no lock behind.
  process.once('exit', release);
  return {
    path,
    update(extra) {
      mine = { ...mine, ...extra };
      if (ours()) writeFileSync(path, JSON.stringify(mine));
    },
    release,
  };
}
