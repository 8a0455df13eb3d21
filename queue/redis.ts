import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { MissingDependencyError, WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import { redactUrl } from '../streams/redact.js';

/**
 * Redis for the whole fleet: REDIS_URL when set (`redis://`, `rediss://`, or `redis-cluster://h1:p1,h2:p2`
 * for Redis Cluster), otherwise the private `redis-server` that `weisu serve` starts. Connections retry
 * forever with capped backoff, so a Redis restart or a network blip is ridden out, not fatal.
 */
export type RedisClient = Redis | Cluster;

const CLUSTER_SCHEME = /^rediss?-cluster:\/\//;

export function connectRedis(url: string, name: string): RedisClient {
  const common = {
    connectionName: name,
    // BullMQ workers block on Redis; a command must wait for a reconnect rather than fail.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  };
  let client: RedisClient;
  if (CLUSTER_SCHEME.test(url)) {
    const tls = url.startsWith('rediss');
    const rest = url.replace(CLUSTER_SCHEME, '');
    const at = rest.lastIndexOf('@');
    const auth = at >= 0 ? rest.slice(0, at) : '';
    const [username, password] = auth.includes(':') ? auth.split(':', 2).map(decodeURIComponent) : [undefined, auth ? decodeURIComponent(auth) : undefined];
    const nodes = rest
      .slice(at + 1)
      .replace(/\/.*$/, '')
      .split(',')
      .map((hp) => {
        const [host, port] = hp.split(':');
        return { host: host || '127.0.0.1', port: Number(port || 6379) };
      });
    client = new Cluster(nodes, {
      clusterRetryStrategy: common.retryStrategy,
      enableReadyCheck: true,
      redisOptions: { ...common, username, password, ...(tls ? { tls: {} } : {}) },
    });
  } else {
    try {
      new URL(url);
    } catch {
      throw new WeisuError('redis_url_invalid', `REDIS_URL "${redactUrl(url)}" is not a URL`, {
        field: 'REDIS_URL',
        fix: 'write redis://HOST:PORT[/DB], rediss:// for TLS, or redis-cluster://HOST:PORT,HOST:PORT for Redis Cluster',
      });
    }
    client = new Redis(url, common);
  }
  let down = false;
  client.on('error', (e: Error) => {
    if (!down) log.warn({ redis: redactUrl(url), err: e.message }, 'redis connection lost; reconnecting');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info({ redis: redactUrl(url) }, 'redis reconnected');
    down = false;
  });
  return client;
}

/** Resolves once the client answers PING, or throws a clear error after `timeoutMs`. */
export async function waitForRedis(client: RedisClient, url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await Promise.race([client.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000))]);
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        throw new WeisuError('redis_unreachable', `cannot reach Redis at ${redactUrl(url)}: ${(e as Error).message}`, {
          field: 'REDIS_URL',
          fix: 'start Redis there, or unset REDIS_URL so `weisu serve` runs its own',
        });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  /** The redis-server process (its supervisor is the child of this process). */
  pid: number;
  stop(): Promise<void>;
}

/** The file where `weisu serve` leaves the URL of its embedded Redis, so `weisu worker` and `weisu status` on this machine find it. */
export function embeddedUrlFile(dataDir: string): string {
  return join(resolve(dataDir), 'redis', 'url');
}

/**
 * REDIS_URL, or the URL of the Redis a `weisu serve` with the same data_dir started on this machine.
 * Throws a clear error when neither exists.
 */
export function resolveRedisUrl(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.REDIS_URL) return env.REDIS_URL;
  const file = embeddedUrlFile(dataDir);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new WeisuError('redis_unknown', 'no Redis to connect to', {
    field: 'REDIS_URL',
    fix: `set REDIS_URL=redis://HOST:PORT (the Redis your weisu serve uses), or run weisu serve with data_dir ${resolve(dataDir)} on this machine first`,
  });
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A redis-server left behind by a `weisu serve` that was killed outright: ours (by pid file and command line), so stop it. */
function stopOrphan(dir: string): void {
  const pidFile = join(dir, 'pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  if (!pid || !alive(pid)) return;
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (cmd.includes('redis-server')) {
    log.info({ pid }, 'stopping the redis-server a previous weisu serve left running');
    process.kill(pid, 'SIGKILL');
  }
}

/**
 * The embedded redis-server's supervisor: a tiny shell that starts redis-server, says its pid, and stops it
 * (SIGTERM: the append-only file is flushed) as soon as its stdin reaches end of file. weisu holds the only
 * write end of that pipe, so the redis-server goes when weisu closes it (a clean stop) and also when weisu
 * dies in any way at all (SIGKILL, crash): the kernel closes the pipe, and no redis-server is orphaned.
 * It exits with redis-server, so weisu sees a crash of Redis as the supervisor's exit.
 */
const SUPERVISOR = `"$@" &
r=$!
echo "weisu: redis-server pid $r"
exec 3<&0
( read -r _ <&3; kill -TERM "$r" 2>/dev/null ) &
w=$!
wait "$r"
code=$?
kill "$w" 2>/dev/null
exit "$code"`;

/**
 * Starts a private `redis-server` on a free port of 127.0.0.1 for this machine's weisu. It keeps an
 * append-only file under `<data_dir>/redis` so queued incidents and rule state survive a restart of
 * `weisu serve`; RDB snapshots are off. It runs in a process group of its own (`detached`), so Ctrl-C or a
 * SIGTERM sent to weisu's whole group does not take Redis away while weisu still drains into it: weisu
 * stops it last, with `stop()`; if weisu dies instead, its supervisor stops it (see SUPERVISOR).
 */
export async function startEmbeddedRedis(dataDir: string, opts: { bin?: string; persist?: boolean; port?: number; args?: string[] } = {}): Promise<EmbeddedRedis> {
  const dir = join(resolve(dataDir), 'redis');
  mkdirSync(dir, { recursive: true });
  stopOrphan(dir);
  const bin = opts.bin ?? 'redis-server';
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.port ?? (await freePort());
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'notice'];
    args.push('--appendonly', opts.persist === false ? 'no' : 'yes', '--appendfsync', 'everysec', ...(opts.args ?? []));
    const child = spawn('sh', ['-c', SUPERVISOR, 'weisu-redis-supervisor', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    // Redis says so once it has loaded its append-only file and listens.
    const started = await new Promise<'ok' | 'exited'>((res) => {
      child.once('error', () => res('exited'));
      child.once('exit', () => res('exited'));
      child.stdout!.on('data', () => output.includes('Ready to accept connections') && res('ok'));
    });
    const pid = Number(/redis-server pid (\d+)/.exec(output)?.[1]);
    if (started === 'exited') {
      // The shell says "not found" (exit 127) when the binary is missing.
      if (child.exitCode === 127) {
        throw new MissingDependencyError(
          `the Redis server binary (${bin})`,
          'install the Debian package redis-server (apt-get install -y redis-server), or set REDIS_URL to a Redis you run',
        );
      }
      lastError = output.trim();
      continue; // most likely the port was taken between probing and binding: try another
    }
    const url = `redis://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'pid'), String(pid));
    writeFileSync(embeddedUrlFile(dataDir), url);
    child.stdout!.removeAllListeners('data');
    child.stdout!.resume();
    const onCrash = (code: number | null, signal: string | null) => log.error({ code, signal }, 'the embedded redis-server exited unexpectedly');
    child.once('exit', onCrash);
    return {
      url,
      port,
      pid,
      async stop() {
        child.off('exit', onCrash);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.stdin!.end();
          const t = setTimeout(() => {
            if (alive(pid)) process.kill(pid, 'SIGKILL');
          }, 5000);
          await exited;
          clearTimeout(t);
        }
        rmSync(join(dir, 'pid'), { force: true });
        rmSync(embeddedUrlFile(dataDir), { force: true });
      },
    };
  }
  throw new WeisuError('redis_start_failed', `the embedded redis-server would not start: ${lastError || 'no output'}`, {
    fix: 'check that redis-server runs by hand, or set REDIS_URL to a Redis you run',
  });
}

/** Redis being away (refused, reset, closed): reported once by connectRedis, not by every user of the connection. */
export function isConnectionError(e: Error): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|connect ETIMEDOUT|Stream isn't writeable/i.test(e.message);
}
