import { defineConfig } from 'vitest/config';

// The gateway serves dist/index.html at `/` under a strict CSP (no inline script or style), so the
// build must emit only external files. `base: './'` keeps asset URLs relative to index.html.
const backend = process.env.CHATTY_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
