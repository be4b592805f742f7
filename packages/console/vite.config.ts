import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The console is a static single-page app served by Operon at `/`. `npm run dev`
 * proxies the public APIs to a running Operon (OPERON_URL, default port 8080).
 */
const target = process.env['OPERON_URL'] ?? 'http://127.0.0.1:8080';
const proxied = ['/tmf-api', '/etom', '/ops', '/auth', '/health'];

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 700 },
  server: { proxy: Object.fromEntries(proxied.map((p) => [p, { target, changeOrigin: true }])) },
});
