import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { launchChromium, serveFolder, startWebMode } from './chromium';

export { launchChromium, serveFolder, startWebMode };

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

