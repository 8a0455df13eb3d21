import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * One logger for the whole product. Secret-bearing keys are censored by name as a second line of
 * defence; URLs are redacted where they are produced (streams/redact.ts), never logged raw.
 * A person at a terminal reads coloured lines with local times; anything else (a file, journald, a log
 * shipper) gets one JSON object per line. WEISU_LOG_FORMAT=json|pretty overrides the guess.
 */
const format = process.env.WEISU_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');

export const log: Logger = pino(
  {
    level: process.env.WEISU_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    redact: {
      paths: ['password', '*.password', 'api_key', '*.api_key', 'apiKey', '*.apiKey', 'secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
      censor: '***',
    },
  },
  // Synchronous: a CLI that exits right after logging still shows the line.
  format === 'pretty' ? pretty({ colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }) : undefined,
);

export type { Logger };
