import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests spawn real servers (RTSP, Redis, HTTP) and ffmpeg; two cores cannot take many at once.
    maxWorkers: 2,
    pool: 'forks',
  },
});
