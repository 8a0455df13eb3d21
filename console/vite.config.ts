import { defineConfig } from 'vite';

/**
 * The operators' console: a static single-page app built into console/dist, which `weisu serve` serves
 * at `/` next to the API. Relative asset paths so it works behind any reverse-proxy prefix.
 */
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite console` during development: the API runs on `weisu serve` (default port 8080).
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
