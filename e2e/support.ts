import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
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
  attempts?: number;
  progress?: { fraction: number; stage: string; done?: number; total?: number; training?: { step: number; steps: number; validatedAt: number | null; checkpointStep: number } };
}

/**
 * How long a wait may see nothing advance before it fails. Waits on work whose duration grows with the machine's
 * load (jobs, tracking in a page, a player calibrating) have no fixed deadline: a busy machine makes them slower,
 * not wrong. They fail when their progress (a job's stage, fraction, step; a driver's tracked frames) stood still
 * this long: a hang, not a slow machine. The jobs' longest gap between two progress reports measured on 2 shared
 * cores: 4.9 s idle, 96 s at load 17 (a tracking job; src/main/testing/job-wait.ts, which uses the same limit).
 */
export const STALL_MS = Number(process.env.TEST_STALL_MS ?? 300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The running hook's timeout while `hookWithTimeout` runs one (Playwright cannot read a hook's timeout back). */
let hookTimeout: number | null = null;

/**
 * Adds `ms` to the running test's timeout (or hook's, inside `hookWithTimeout`). Playwright counts a test's time
 * against one fixed timeout; the waits below give back the time their work spent advancing, so that timeout bounds
 * only what the test does besides (and each wait's own stall limit bounds the wait).
 */
function extendTestTimeout(ms: number): void {
  if (ms === 0) return;
  if (hookTimeout !== null) {
    if (hookTimeout > 0) test.setTimeout((hookTimeout = Math.max(1, hookTimeout + ms)));
    return;
  }
  const info = test.info();
  if (info.timeout > 0) info.setTimeout(Math.max(1, info.timeout + ms));
}

/**
 * Runs a beforeAll / afterAll hook's body under a timeout of `ms`, which the waits below extend as their work
 * advances. A hook that waits on jobs must use it instead of test.setTimeout: in a hook, test.info().timeout reads
 * the test's timeout, not the hook's, so the waits could not extend the hook's own.
 */
export async function hookWithTimeout(ms: number, body: () => Promise<void>): Promise<void> {
  test.setTimeout(ms);
  hookTimeout = ms;
  try {
    await body();
  } finally {
    hookTimeout = null;
  }
}

/**
 * For a test made of many steps whose sum grows with the machine's load (a layout pass over every page): call the
 * returned function after each step, which gives the step's time back to the test's timeout, so that timeout bounds
 * a step that hangs rather than the sum of many slow ones.
 */
export function stepClock(): () => void {
  let last = Date.now();
  return () => {
    const now = Date.now();
    extendTestTimeout(now - last);
    last = now;
  };
}

export interface AdvanceOptions<T> {
  /** What is awaited, for the failure message. */
  what: string;
  /** Done once this holds for a probed value. */
  until: (v: T) => boolean;
  /** The figures whose change is progress (compared as JSON). */
  progress: (v: T) => unknown;
  /** Fail after this long without progress (default STALL_MS). */
  stallMs?: number;
  /** Pause between probes (default 250 ms). */
  pollMs?: number;
  /** The probed value in the failure message (default JSON). */
  describe?: (v: T) => string;
}

/**
 * Probes until `until` holds, for as long as `progress` keeps changing: fails only when it stood still for
 * `stallMs`. The time spent while it advanced is added to the test's timeout, and the stall limit is added while it
 * waits (and taken back after), so neither the test's fixed timeout nor a fixed deadline cuts off slow progress.
 */
export async function waitWhileAdvancing<T>(probe: () => Promise<T>, o: AdvanceOptions<T>): Promise<T> {
  const stallMs = o.stallMs ?? STALL_MS;
  const pollMs = o.pollMs ?? 250;
  const t0 = Date.now();
  let last: string | undefined;
  let lastChange = t0;
  let credited = 0;
  const credit = (ms: number) => {
    credited += ms;
    extendTestTimeout(ms);
  };
  extendTestTimeout(stallMs);
  try {
    for (;;) {
      const v = await probe();
      const now = Date.now();
      if (o.until(v)) {
        credit(now - lastChange);
        return v;
      }
      const sig = JSON.stringify(o.progress(v));
      if (sig !== last) {
        credit(now - lastChange);
        last = sig;
        lastChange = now;
      } else if (now - lastChange >= stallMs) {
        throw new Error(`${o.what}: nothing advanced for ${((now - lastChange) / 1000).toFixed(0)} s (the stall limit; ${((now - t0) / 1000).toFixed(0)} s in all): ${o.describe ? o.describe(v) : JSON.stringify(v)}`);
      }
      await sleep(pollMs);
    }
  } finally {
    extendTestTimeout(-stallMs);
    if (process.env.TEST_PROGRESS_LOG) console.log(`[wait] ${o.what}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${(credited / 1000).toFixed(1)} s given back to the test`);
  }
}

/**
 * Waits until `until` holds for the probed value, for as long as that value keeps changing (a count of rendered or
 * tracked frames, a status line), and up to `stallMs` while it stays the same (a page compiling its shaders on a CPU
 * adapter shows nothing in between: there, the stall limit is the deadline). Its time is given back to the test.
 * Follow it with the spec's own `expect`, for the assertion's message.
 */
export function waitUntil<T>(what: string, probe: () => Promise<T>, until: (v: T) => boolean, o: { stallMs?: number; pollMs?: number } = {}): Promise<T> {
  return waitWhileAdvancing(probe, { what, until, progress: (v) => v, ...o });
}

/** An attribute of the element now (null when it is not there yet), without waiting for it as getAttribute does. */
export async function attrOf(locator: Locator, name: string): Promise<string | null> {
  return (await locator.count()) > 0 ? locator.first().getAttribute(name, { timeout: 1_000 }).catch(() => null) : null;
}

/** The element's text now (null when it is not there yet), without waiting for it as textContent does. */
export async function textOf(locator: Locator): Promise<string | null> {
  return (await locator.count()) > 0 ? locator.first().textContent({ timeout: 1_000 }).catch(() => null) : null;
}

/** What of a job counts as progress: status, stage, fraction, counts, training step and checkpoint. */
export function jobProgress(j: Job): unknown {
  const p = j.progress;
  const t = p?.training;
  return [j.status, j.attempts, p?.stage, p?.fraction, p?.done, p?.total, t?.step, t?.validatedAt, t?.checkpointStep];
}

/**
 * Starts a job through the API from the page and polls it until it stops (completed, failed, cancelled,
 * interrupted, paused). No deadline: it waits while the job advances and fails after `stallMs` (STALL_MS) without
 * progress.
 */
export async function runJob(page: Page, method: string, params: unknown, o: { stallMs?: number; pollMs?: number } = {}): Promise<Job> {
  const { id } = await api<Job>(page, method, params);
  return waitForJob(page, id, `${method} (job ${id})`, o);
}

/** Polls job `id` until it stops, while it advances (see runJob). */
export function waitForJob(page: Page, id: string, what = `job ${id}`, o: { stallMs?: number; pollMs?: number } = {}): Promise<Job> {
  return waitWhileAdvancing(() => api<Job>(page, 'jobs.get', { id }), {
    what,
    until: (j) => ['completed', 'failed', 'cancelled', 'interrupted', 'paused'].includes(j.status),
    progress: jobProgress,
    stallMs: o.stallMs,
    pollMs: o.pollMs ?? 500,
    describe: (j) => `${j.status} at "${j.progress?.stage}" (${((j.progress?.fraction ?? 0) * 100).toFixed(1)} %)`,
  });
}

/**
 * Waits until `ready` holds (what the page shows once its work is done) while the library's jobs advance: for work a
 * test starts through the UI, whose job it does not know by id (an import, tracking, training, an export). No fixed
 * deadline: it fails after `stallMs` (STALL_MS) in which no job of the library advanced and `ready` did not hold.
 * Follow it with the spec's own `expect` on the same thing, for the assertion's message.
 */
export async function waitWhileJobsAdvance(page: Page, what: string, ready: () => Promise<boolean>, o: { stallMs?: number } = {}): Promise<void> {
  const active = (j: Job) => j.status === 'queued' || j.status === 'running';
  await waitWhileAdvancing(async () => ({ ready: await ready(), jobs: await api<Job[]>(page, 'jobs.list', {}) }), {
    what,
    until: (s) => s.ready,
    progress: (s) => s.jobs.map((j) => [j.id, jobProgress(j)]),
    stallMs: o.stallMs,
    pollMs: 500,
    describe: (s) => s.jobs.filter(active).map((j) => `${j.id} ${j.status} at "${j.progress?.stage}" (${((j.progress?.fraction ?? 0) * 100).toFixed(1)} %)`).join('; ') || 'no job queued or running',
  });
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
export async function trainSmallAvatar(page: Page, o: { projectName: string; clip: string; overrides?: Record<string, unknown> }): Promise<{ projectId: string; captureId: string; avatarId: string }> {
  const projectId = (await api<{ id: string }>(page, 'projects.create', { name: o.projectName })).id;
  const imported = await runJob(page, 'captures.import', { projectId, sources: [{ path: o.clip }], options: { allowDuplicate: true } });
  expect(imported.error).toBeNull();
  const captureId = (imported.result as { captureId: string }).captureId;
  expect((await runJob(page, 'tracking.start', { captureId })).status).toBe('completed');
  const trained = await runJob(page, 'training.start', { captureId, preset: 'preview', overrides: { steps: 20, uvResolution: 32, imageLongSide: 64, ...o.overrides } });
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

