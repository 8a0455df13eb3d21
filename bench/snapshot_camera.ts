import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startCameraServer } from '../test/support/camera_servers.js';

/**
 * HTTP snapshot cameras for the workers bench: test/support's loopback camera server serving one JPEG, in a
 * process of its own so the bench can leave its CPU out of weisu's (as it does the RTSP server's). Run as a
 * script, it serves the file named by its argument and prints its port; `startSnapshotCamera` starts it.
 */
export interface SnapshotCamera {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export async function startSnapshotCamera(jpegFile: string): Promise<SnapshotCamera> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), jpegFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`snapshot camera exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line)));
  });
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}/snapshot.jpg`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startCameraServer({ pictures: [process.argv[2]!] });
  console.log(server.port);
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}
