import { log } from '../core/log.js';

/**
 * How long a stopping process lets the samples in hand finish: well inside the 10 s a container runtime
 * (docker stop) waits before SIGKILL, with time left for closing the rest.
 */
export const SHUTDOWN_DRAIN_MS = 6000;

/**
 * Resolves after SIGTERM or SIGINT once `drain` finished: the long-running commands wait on this, then
 * return their exit code. A second signal while draining exits at once (an operator who means it).
 */
export function onShutdown(drain: (signal: NodeJS.Signals) => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let draining = false;
    const handler = (signal: NodeJS.Signals) => {
      if (draining) {
        log.warn({ signal }, 'second signal: exiting without draining');
        process.exit(130);
      }
      draining = true;
      drain(signal).then(
        () => {
          process.off('SIGTERM', handler);
          process.off('SIGINT', handler);
          resolve();
        },
        (e: Error) => {
          log.error({ err: e.message }, 'drain failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}
