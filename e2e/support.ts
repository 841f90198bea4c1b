import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

/** Debian's Chromium with WebGPU on, and none of the background traffic this closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
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

/** One StudioApi call from inside a studio page, on its own WebSocket with the page's token. */
export async function api<T>(page: Page, method: string, params: unknown): Promise<T> {
  return page.evaluate(
    ([method, params]) =>
      new Promise<T>((resolve, reject) => {
        const token = new URLSearchParams(location.search).get('token') ?? '';
        const ws = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'request', id: 1, method, params }));
        ws.onmessage = (e) => {
          const m = JSON.parse(String(e.data));
          if (m.type !== 'response' || m.id !== 1) return;
          ws.close();
          if (m.ok) resolve(m.result as T);
          else reject(new Error(m.error.message));
        };
        ws.onerror = () => reject(new Error('WebSocket error'));
      }),
    [method, params] as const,
  );
}

/** A job as `jobs.get` returns it (the fields the specs read). */
export interface Job {
  id: string;
  status: string;
  error: { message: string } | null;
  result: unknown;
}

/** Starts a job through the API from the page and polls it until it stops (completed, failed, cancelled, interrupted). */
export async function runJob(page: Page, method: string, params: unknown, timeoutMs = 90_000, pollMs = 500): Promise<Job> {
  const { id } = await api<Job>(page, method, params);
  const t0 = Date.now();
  for (;;) {
    const job = await api<Job>(page, 'jobs.get', { id });
    if (['completed', 'failed', 'cancelled', 'interrupted'].includes(job.status)) return job;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${method} did not finish in ${timeoutMs} ms (status ${job.status})`);
    await page.waitForTimeout(pollMs);
  }
}

/**
 * A short clip of one face from a photo that an npm package ships (a slow pan, so frames differ), made with ffmpeg
 * into `dir`: `size`² pixels, `seconds` long at 10 fps.
 */
export function makeFaceClip(dir: string, { size = 512, seconds = 1.2, name = 'face.mp4' }: { size?: number; seconds?: number; name?: string } = {}): string {
  const photo = path.resolve('node_modules/@vladmandic/face-api/demo/sample3.jpg');
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', photo, '-vf', `crop=600:600:'1180+20*sin(t*2)':'150+10*cos(t*2)',scale=${size}:${size}`, '-t', String(seconds), '-r', '10', '-pix_fmt', 'yuv420p', out]);
  return out;
}

/**
 * A small trained avatar made through the API: a project, `clip` imported, tracked, and trained briefly on the preview
 * preset (20 steps, 32² UV, 64 px images, plus `overrides`). Returns the ids; each step must succeed.
 */
export async function trainSmallAvatar(page: Page, o: { projectName: string; clip: string; overrides?: Record<string, unknown>; trackMs?: number; trainMs?: number }): Promise<{ projectId: string; captureId: string; avatarId: string }> {
  const projectId = (await api<{ id: string }>(page, 'projects.create', { name: o.projectName })).id;
  const imported = await runJob(page, 'captures.import', { projectId, sources: [{ path: o.clip }], options: { allowDuplicate: true } }, 60_000);
  expect(imported.error).toBeNull();
  const captureId = (imported.result as { captureId: string }).captureId;
  expect((await runJob(page, 'tracking.start', { captureId }, o.trackMs ?? 120_000)).status).toBe('completed');
  const trained = await runJob(page, 'training.start', { captureId, preset: 'preview', overrides: { steps: 20, uvResolution: 32, imageLongSide: 64, ...o.overrides } }, o.trainMs ?? 180_000);
  expect(trained.error).toBeNull();
  return { projectId, captureId, avatarId: (trained.result as { avatarId: string }).avatarId };
}

/** Lets `context` reach only `baseUrl`: every other request is refused and listed in the returned array. */
export async function refuseForeignRequests(context: BrowserContext, baseUrl: string): Promise<string[]> {
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(baseUrl)) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  return foreign;
}

/**
 * Closes every toast on the page. One at a time, always the first: closing one re-indexes the rest, and a toast may
 * time out on its own meanwhile (a click on a vanished nth() would wait forever).
 */
export async function dismissNotifications(page: Page): Promise<void> {
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  for (let i = 0; i < 20 && (await dismiss.count()) > 0; i++) await dismiss.first().click({ timeout: 5_000 }).catch(() => undefined);
}

/** Web mode started for real from the built CLI (`npm run build` first) on `libraryDir`; resolves with its printed link. */
export async function startWebMode(libraryDir: string): Promise<{ child: ChildProcess; url: string; port: number }> {
  const cli = path.resolve('out/main/cli.js');
  if (!fs.existsSync(cli)) throw new Error('Build the studio first: npm run build');
  const child = spawn(process.execPath, [cli, '--library', libraryDir, '--json', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const info = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let text = '', err = '';
    const timer = setTimeout(() => reject(new Error(`web mode did not start: ${err}`)), 30_000);
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
