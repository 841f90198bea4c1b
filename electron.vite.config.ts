import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { build, type Plugin } from 'vite';

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = { '@shared': r('./src/shared'), '@engine': r('./native/engine'), '@tracking': r('./native/tracking') };

/**
 * The hidden engine page of the Chromium engine host (Electron): native/engine/host/engine-page/engine.html, built
 * beside the studio page as out/renderer/engine.html (+ engine-assets/). Its own Vite build, because an HTML entry
 * outside the renderer root cannot be emitted by the renderer build.
 */
function enginePage(): Plugin {
  return {
    name: 'studio-engine-page',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        root: r('./native/engine/host/engine-page'),
        base: './',
        logLevel: 'warn',
        build: { outDir: r('./out/renderer'), emptyOutDir: false, assetsDir: 'engine-assets', target: 'es2022', rollupOptions: { input: r('./native/engine/host/engine-page/engine.html') } },
      });
    },
  };
}

/**
 * The standalone web player (src/player/): its own Vite build into out/player/ (index.html + one JS + CSS, relative
 * paths, no CDN), copied next to an avatar bundle by the `player` export (services/export/player-export.ts).
 */
function playerApp(): Plugin {
  return {
    name: 'studio-web-player',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        root: r('./src/player'),
        base: './',
        logLevel: 'warn',
        resolve: { alias },
        build: { outDir: r('./out/player'), emptyOutDir: true, assetsDir: 'assets', target: 'es2022', rollupOptions: { input: r('./src/player/index.html') } },
      });
    },
  };
}

/**
 * One build for the three front doors:
 *  - main: the Electron entry, the CLI / web-mode entry and the job worker, all ESM for Node (dependencies stay
 *    external so native modules load from node_modules or app.asar.unpacked);
 *    (plus the Node engine process, engine-process.js, forked by web mode and the CLI);
 *  - preload: one CommonJS file per window (studio, engine), as sandboxed preloads require;
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
          'engine-process': r('./native/engine/host/node-engine-process.ts'),
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
        input: { index: r('./src/preload/index.ts'), engine: r('./src/preload/engine.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: r('./src/renderer'),
    resolve: { alias },
    plugins: [react(), enginePage(), playerApp()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: r('./src/renderer/index.html') },
    },
  },
});
