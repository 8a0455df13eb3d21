import { pino, type Logger } from 'pino';

/**
 * One logger for the whole product. Secret-bearing keys are censored by name as a second line of
 * defence; URLs are redacted where they are produced (streams/redact.ts), never logged raw.
 */
export const log: Logger = pino({
  level: process.env.WEISU_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  redact: {
    paths: ['password', '*.password', 'api_key', '*.api_key', 'apiKey', '*.apiKey', 'secret', '*.secret', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
    censor: '***',
  },
});

export type { Logger };
