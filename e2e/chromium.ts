/**
 * Chromium and the studio's servers for the e2e specs and the browser benches (bench/browser-render,
 * bench/live/page-loop): no DOM types here, so the benches' Node type-check can import it (e2e/support.ts, which
 * evaluates code in pages, re-exports these).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';

/** Debian's Chromium with WebGPU on, and none of the background traffic this closed network refuses; `extraArgs` e.g. a fake camera. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.wasm': 'application/wasm' };

/**
 * Serves a built folder on 127.0.0.1 (a random port): WebGPU needs a secure context, which localhost is and a
 * data: or file: URL is not. Paths outside the folder are refused.
 */
export async function serveFolder(root: string, index: string): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || index;
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server has no port');
  return { baseUrl: `http://127.0.0.1:${address.port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}


/** Web mode started for real from the built CLI (`npm run build` first) on `libraryDir`; resolves with its printed link. */
export async function startWebMode(libraryDir: string): Promise<{ child: ChildProcess; url: string; port: number }> {
  const cli = path.resolve('out/main/cli.js');
  if (!fs.existsSync(cli)) throw new Error('Build the studio first: npm run build');
  const child = spawn(process.execPath, [cli, '--library', libraryDir, '--json', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const info = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let text = '', err = '';
    // A hang guard, not a speed budget: starting (loading the native modules, opening the library) is slower on a
    // busy machine; the process exiting early fails at once (below).
    const timer = setTimeout(() => reject(new Error(`web mode did not start within 5 minutes: ${err}`)), 5 * 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const line = text.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; port: number });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`web mode exited with ${code}: ${err}`)));
  });
  return { child, url: info.url, port: info.port };
}
