import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HOSTILE, type HostileName } from './hostile_behaviours.js';

export { HOSTILE, type HostileName } from './hostile_behaviours.js';

/**
 * A hostile camera on loopback (test/support/hostile_camera_server.ts, its own process so its floods do
 * not weigh on the process under test). Usage:
 *
 *   const cam = await startHostileCamera();
 *   cam.url('rtsp_content_length_nan')     // rtsp://127.0.0.1:P/rtsp_content_length_nan
 *   cam.connections('other')               // connections "another host" (127.0.0.2) saw so far
 *   await cam.stop();
 */
export interface HostileCamera {
  url(name: HostileName): string;
  /** Connections seen so far by a listener (for `other`: any redirect or playlist followed off-host). */
  connections(listener: 'rtsp' | 'http' | 'other', behaviour?: HostileName): number;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./hostile_camera_server.ts', import.meta.url));

export async function startHostileCamera(): Promise<HostileCamera> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const seen: { listener: string; behaviour?: string }[] = [];
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<{ rtsp: number; http: number; other: number }>((resolve, reject) => {
    // Generous: it makes its bombs at start, and a loaded machine starts processes slowly.
    const timer = setTimeout(() => reject(new Error(`hostile camera did not start within 90 s: ${stderr}`)), 90_000);
    child.once('close', (code) => reject(new Error(`hostile camera exited (${code}): ${stderr}`)));
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { event?: string; listener: string; behaviour?: string; rtsp: number; http: number; other: number };
      if (msg.event) seen.push(msg);
      else {
        clearTimeout(timer);
        resolve(msg);
      }
    });
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  return {
    url: (name) => {
      const http = `http://127.0.0.1:${ports.http}/${name}`;
      switch (HOSTILE[name].scheme) {
        case 'rtsp':
          return `rtsp://127.0.0.1:${ports.rtsp}/${name}`;
        case 'snapshot':
          return `${http}.jpg`;
        case 'hls':
          return `${http}.m3u8`;
        case 'mjpeg':
          return http;
      }
    },
    connections: (listener, behaviour) => seen.filter((s) => s.listener === listener && (!behaviour || s.behaviour === behaviour)).length,
    stop: async () => {
      child.stdin!.end();
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      await exited;
    },
  };
}
