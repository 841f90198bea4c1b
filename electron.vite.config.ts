import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = { '@shared': r('./src/shared'), '@engine': r('./native/engine') };

/**
 * One build for the three front doors:
 *  - main: the Electron entry, the CLI / web-mode entry and the job worker, all ESM for Node (dependencies stay
 *    external so native modules load from node_modules or app.asar.unpacked);
 *  - preload: a single CommonJS file, as sandboxed preloads require;
 *  - renderer: the React app, served by Electron (studio://) or by web mode.
 */
export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          electron: r('./src/main/electron/main.ts'),
          cli: r('./src/main/cli/main.ts'),
          'job-worker': r('./src/main/jobs/worker-main.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: r('./src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: r('./src/renderer'),
    resolve: { alias },
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: r('./src/renderer/index.html') },
    },
  },
});
