/**
 * The dashboard's build: `npm run build:web` (vite build web) writes web/dist, which `npm start` serves and
 * the web stack uploads. Relative asset paths let the same files work under any origin and path.
 */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
