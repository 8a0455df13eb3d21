import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Logs as a real process writes them: JSON lines when stdout is a pipe, readable lines for a person. */
const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = "import('./core/log.ts').then(({ log }) => log.info({ camera: 'cam-1', password: 'hunter2-secret' }, 'camera online'))";

function logLine(env: Record<string, string>): string {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, WEISU_LOG_LEVEL: 'info', ...env };
  delete childEnv.VITEST;
  delete childEnv.WEISU_LOG_FORMAT;
  Object.assign(childEnv, env);
  // stdout is a pipe here, as under systemd or a log shipper.
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], { cwd: ROOT, env: childEnv, encoding: 'utf8' });
}

describe('log format', () => {
  it('writes one JSON object per line when stdout is not a terminal', () => {
    const out = logLine({});
    const line = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'camera online', camera: 'cam-1', password: '***' });
  });

  it('writes readable lines (pretty) when asked, secrets still censored', () => {
    const out = logLine({ WEISU_LOG_FORMAT: 'pretty' });
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: camera online\n/);
    expect(out).toContain('camera: "cam-1"');
    expect(out).not.toContain('hunter2-secret');
    expect(() => JSON.parse(out)).toThrow();
  });
});
