import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { StudioHost } from '../src/main/host/studio-host';
import { makeVideo } from '../src/main/testing/media-fixtures';
import { craftTrackedCapture } from '../src/main/services/training/test-capture';
import { canonicalFace } from '../native/engine/avatar/open-head/build';
import { trackingDir } from '../src/main/services/tracking/tracking-paths';
import { api, attrOf, dismissNotifications, hookWithTimeout, runJob, startWebMode, stepClock, textOf, waitUntil } from './support';

/**
 * The layout pass (issue 21): every page and dialog of the studio in the light and the dark theme at 1440×900 and
 * 1280×720, each screenshotted into the test's output folder (`test-results/layout-pass-…/<theme>-<size>-<name>.png`)
 * and checked for layout invariants (`layoutProblems` below): nothing interactive off-screen or cut by a scroll box,
 * no sideways scrolling, no button poking out of its box, nothing over the project rail, a dialog centred and not
 * inheriting its opener's text styles, no text spilling out of (or cut by) its own box, table action buttons on one
 * line, themed form controls, the timeline drawn in the current theme (also after a switch while it is shown) and its
 * playhead whole at the last frame. Each dialog is closed with Esc, which must leave the page where it was.
 *
 * The library is crafted in-process (a tracked test-pattern capture, `craftTrackedCapture`), then web mode trains a
 * tiny avatar on it (20 steps) and bakes it (256², 0 fit steps), so every page has content in well under a minute.
 * Every problem of a pass is collected and reported at the end, each naming the element, the page, theme and size.
 */

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
] as const;
const FRAMES = 120;
/** The frame on which the detector "saw" a second face, so the preview offers to follow it instead. */
const TWO_FACES = 60;

let libraryDir: string, media: string;
let projectId: string, captureId: string, avatarId: string;
let web: { child: ChildProcess; url: string };
let browser: Browser;

test.beforeAll(async () => {
  // The training and the bake below take as long as the machine's load makes them: their waits extend this.
  await hookWithTimeout(240_000, async () => {
    libraryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-e2e-lib-'));
    media = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-e2e-media-'));
    const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
    projectId = host.services.projects.create('Layout pass').id;
    host.services.projects.create('An empty project with a rather long name to see how cards cope');
    host.services.projects.trash(host.services.projects.create('Old takes').id);
    captureId = (await craftTrackedCapture(host, projectId, media, { frames: FRAMES, test: [30, 90] })).id;
    recordCraftedTracks(host, projectId, captureId);
    await host.close();
    web = await startWebMode(libraryDir);
    // A fake camera for the Live page (Chromium's test pattern: no face, so the page shows its no-face state).
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    });
    const page = await browser.newPage();
    await page.goto(web.url);
    const trained = await runJob(page, 'training.start', { captureId, preset: 'preview', overrides: { steps: 20, uvResolution: 32, imageLongSide: 64 } });
    expect(trained.error).toBeNull();
    avatarId = (trained.result as { avatarId: string }).avatarId;
    const baked = await runJob(page, 'bake.start', { avatarId, mapSize: 256, steps: 0 });
    expect(baked.error).toBeNull();
    await page.close();
  });
});

/**
 * The per-frame tracking rows and landmarks a tracker would have written for the crafted capture (whose fit.json and
 * expression space craftTrackedCapture wrote): every frame tracked, the landmarks the fitted canonical face projects to,
 * and on TWO_FACES a second, smaller face, so the preview draws its box and the "Track this face instead?" dialog can
 * be opened.
 */
function recordCraftedTracks(host: StudioHost, project: string, capture: string): void {
  const cap = host.services.captures.get(capture);
  const cam = cap.cameras[0]!;
  const K = { f: cam.width * 1.5, cx: cam.width / 2 - 0.5, cy: cam.height / 2 - 0.5 }; // as craftTrackedCapture's fit
  const face = canonicalFace();
  const lm = new Float32Array(478 * 3);
  const project3 = (i: number, k: number) => {
    // rotation (π, 0, 0): (x, −y, −z), then 0.5 m in front of the camera.
    const x = face[i * 3]!, y = -face[i * 3 + 1]!, z = -face[i * 3 + 2]! + 0.5;
    lm.set([(K.f * x) / z + K.cx, (K.f * y) / z + K.cy, z], k * 3);
  };
  for (let i = 0; i < 468; i++) project3(i, i);
  for (let k = 0; k < 10; k++) project3(k < 5 ? 33 : 263, 468 + k); // irises: at the eye corners (33, 263) the mesh has
  const us = Array.from({ length: 468 }, (_, i) => lm[i * 3]!), vs = Array.from({ length: 468 }, (_, i) => lm[i * 3 + 1]!);
  const box = { x: Math.min(...us), y: Math.min(...vs), width: Math.max(...us) - Math.min(...us), height: Math.max(...vs) - Math.min(...vs) };
  const other = { x: cam.width * 0.74, y: cam.height * 0.04, width: cam.width * 0.22, height: cam.height * 0.26 };
  const dir = path.join(host.services.projects.folderOf(project), trackingDir(capture), cam.id.split(':').at(-1)!);
  const frames = host.services.library.db.prepare('SELECT id, idx FROM frames WHERE capture_id = ? AND camera_id = ? ORDER BY idx').all(capture, cam.id) as { id: number; idx: number }[];
  const all = new Float32Array(frames.length * lm.length);
  frames.forEach((_, k) => all.set(lm, k * lm.length));
  fs.writeFileSync(path.join(dir, 'landmarks.f32'), Buffer.from(all.buffer));
  const insert = host.services.library.db.prepare('INSERT INTO tracks (frame_id, head_model, data, confidence, fit_error, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  host.services.library.db.transaction(() => {
    for (const f of frames) {
      const two = f.idx === TWO_FACES;
      const data = { idx: f.idx, cameraId: cam.id, tracked: true, reason: null, warnings: two ? ['several-faces'] : [], confidence: 0.95, box, faces: [{ box, score: 0.97 }, ...(two ? [{ box: other, score: 0.81 }] : [])], chosenFace: 0, fitErrorPx: 1 };
      insert.run(f.id, 'open-head', JSON.stringify(data), 0.95, 1, Date.now());
    }
  })();
}

test.afterAll(async () => {
  await browser?.close();
  if (web) {
    web.child.kill('SIGTERM');
    await new Promise((r) => web.child.once('exit', r));
  }
  for (const d of [libraryDir, media]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Runs in the page: what breaks the layout invariants now, one line per problem naming the element. With a modal
 * dialog open only the dialog is checked (the page behind is inert).
 */
function layoutProblems(): string[] {
  const problems: string[] = [];
  const W = document.documentElement.clientWidth;
  const H = document.documentElement.clientHeight;
  const dialog = document.querySelector<HTMLDialogElement>('dialog[open]');
  const scope: Element = dialog ?? document.body;

  const describe = (el: Element): string => {
    const cls = [...el.classList].slice(0, 2).map((c) => `.${c}`).join('');
    const name = el.getAttribute('aria-label') ?? el.getAttribute('data-testid') ?? (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${cls}>${name ? ` "${name}"` : ''}`;
  };
  const shown = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  /** The element's box cut by every ancestor that clips (up to the open dialog, which is in the top layer). */
  const clipped = (el: Element) => {
    const r = el.getBoundingClientRect();
    let { left, right, top, bottom } = r;
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      const b = a.getBoundingClientRect();
      if (s.overflowX !== 'visible') (left = Math.max(left, b.left)), (right = Math.min(right, b.right));
      if (s.overflowY !== 'visible') (top = Math.max(top, b.top)), (bottom = Math.min(bottom, b.bottom));
      if (a.tagName === 'DIALOG' || s.position === 'fixed') break;
    }
    return { left, right, top, bottom, empty: right - left < 1 || bottom - top < 1 };
  };
  const hiddenByClip = (el: Element) => {
    for (let a: Element | null = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.clip !== 'auto' && s.clip !== '' && s.position === 'absolute') return true;
      if (a.classList.contains('visually-hidden')) return true;
    }
    return false;
  };
  const colour = (token: string) => {
    const probe = document.createElement('div');
    probe.style.color = `var(${token})`;
    scope.appendChild(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  };

  // 1. No sideways scrolling: the document, and no scroll box that is not meant to scroll sideways.
  if (document.documentElement.scrollWidth > W + 1) problems.push(`the page scrolls sideways (content ${document.documentElement.scrollWidth} px wide in ${W} px)`);
  const SIDEWAYS_OK = '.timeline-scroll';
  for (const el of scope.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1 && shown(el) && !el.matches(SIDEWAYS_OK))
      problems.push(`${describe(el)} scrolls sideways (content ${el.scrollWidth} px in ${el.clientWidth} px): some of it is out of view`);
  }

  // 2. Interactive elements on screen, not cut by a scroll box, not over the project rail.
  const rail = dialog ? null : document.querySelector('.rail');
  const railBox = rail?.getBoundingClientRect();
  const interactive = scope.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=slider], [role=button], [role=tab], [tabindex]:not([tabindex="-1"])');
  for (const el of interactive) {
    if (!shown(el) || hiddenByClip(el)) continue;
    const r = el.getBoundingClientRect();
    const c = clipped(el);
    if (c.empty) continue; // scrolled out of view
    if (r.right > W + 1 || r.left < -1) problems.push(`${describe(el)} is off-screen (x ${Math.round(r.left)}–${Math.round(r.right)} of ${W})`);
    else if (r.left < c.left - 1 || r.right > c.right + 1) problems.push(`${describe(el)} is cut off sideways by a scroll box (x ${Math.round(r.left)}–${Math.round(r.right)}, visible ${Math.round(c.left)}–${Math.round(c.right)})`);
    // A button wider than the box it sits in pokes into the box's padding or past its border.
    const holder = el.classList.contains('btn') ? el.parentElement : null;
    if (holder && !c.empty) {
      const hs = getComputedStyle(holder);
      const hb = holder.getBoundingClientRect();
      const inner = hb.right - parseFloat(hs.borderRightWidth) - parseFloat(hs.paddingRight);
      if (hs.display !== 'inline' && hs.display !== 'contents' && r.right > inner + 1) problems.push(`${describe(el)} sticks ${Math.round(r.right - inner)} px out of ${describe(holder)}`);
    }
    if (rail && railBox && !rail.contains(el) && r.left < railBox.right - 1 && r.right > railBox.left + 1 && r.top < railBox.bottom - 1 && r.bottom > railBox.top + 1 && c.left < railBox.right - 1)
      problems.push(`${describe(el)} overlaps the project rail`);
  }

  // 3. A modal dialog: on screen, centred, with the app's text styles rather than its opener's.
  if (dialog) {
    const r = dialog.getBoundingClientRect();
    if (r.left < 0 || r.right > W || r.top < 0 || r.bottom > H) problems.push(`${describe(dialog)} is not within the window (${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} of ${W}×${H})`);
    if (Math.abs((r.left + r.right) / 2 - W / 2) > 2) problems.push(`${describe(dialog)} is not centred (x ${Math.round(r.left)}–${Math.round(r.right)} of ${W})`);
    const ds = getComputedStyle(dialog);
    const bs = getComputedStyle(document.body);
    for (const p of ['textAlign', 'lineHeight', 'whiteSpace', 'fontSize', 'fontFamily', 'fontWeight'] as const)
      if (ds[p] !== bs[p] && !(p === 'textAlign' && ['start', 'left'].includes(ds[p]))) problems.push(`${describe(dialog)} has ${p} ${ds[p]} (the app's is ${bs[p]}): it inherits its opener's styles`);
  }

  // 4. Text inside its own box: each visible text run lies within the nearest box around it (not inline), unless
  //    that box ends it with an ellipsis and a tooltip says the whole.
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  const seen = new Set<Element>();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = (n.textContent ?? '').trim();
    if (!text) continue;
    let box = n.parentElement;
    if (!box || box.closest('select, option, svg, script, style, textarea, canvas')) continue;
    while (box && ['inline', 'contents'].includes(getComputedStyle(box).display)) box = box.parentElement;
    if (!box || seen.has(box) || !shown(box) || hiddenByClip(box) || clipped(box).empty) continue;
    const b = box.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const t of range.getClientRects()) {
      if (t.width === 0) continue;
      const over = Math.max(t.right - b.right, b.left - t.left, t.bottom - b.bottom - 2, b.top - t.top - 2);
      if (over <= 1) continue;
      const s = getComputedStyle(box);
      if (s.textOverflow === 'ellipsis' && box.closest('[title]')) break;
      seen.add(box);
      problems.push(`text "${text.slice(0, 40)}" spills ${Math.round(over)} px out of ${describe(box)}${s.overflow !== 'visible' ? ' and is cut off' : ''}`);
      break;
    }
  }

  // 5. Table action cells: their buttons on one line.
  for (const td of scope.querySelectorAll('td')) {
    const tops = [...td.querySelectorAll('button')].filter(shown).map((b) => Math.round(b.getBoundingClientRect().top));
    if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 4) problems.push(`the buttons of ${describe(td)} wrap onto ${new Set(tops).size} lines`);
  }

  // 6. Form controls themed: background, border and font of the app, not the browser's defaults.
  const backgrounds = new Set(['--bg-input', '--bg-sunken', '--bg-raised', '--bg', '--bg-hover', '--bg-active'].map(colour));
  const borders = new Set(['--border', '--border-strong', '--focus', '--danger', '--accent'].map(colour));
  const font = getComputedStyle(document.body).fontFamily;
  for (const el of scope.querySelectorAll('select, textarea, input:not([type]), input[type=text], input[type=number], input[type=search], input[type=email], input[type=url], input[type=password]')) {
    if (!shown(el) || hiddenByClip(el)) continue;
    const s = getComputedStyle(el);
    const transparent = s.backgroundColor === 'rgba(0, 0, 0, 0)';
    if (!transparent && !backgrounds.has(s.backgroundColor)) problems.push(`${describe(el)} has the browser's background ${s.backgroundColor}, not the theme's`);
    const border = parseFloat(s.borderTopWidth) > 0 && s.borderTopStyle !== 'none';
    if (border && s.borderTopColor !== 'rgba(0, 0, 0, 0)' && !borders.has(s.borderTopColor)) problems.push(`${describe(el)} has the browser's border ${s.borderTopColor}, not the theme's`);
    if (s.fontFamily !== font) problems.push(`${describe(el)} has the browser's font (${s.fontFamily})`);
  }

  // 7. The timeline: drawn in the theme's colours (the ruler row is --bg-raised), its playhead within its viewport.
  const canvas = dialog ? null : document.querySelector<HTMLCanvasElement>('.timeline-canvas');
  if (canvas && canvas.width > 0) {
    const px = canvas.getContext('2d')!.getImageData(Math.round(2 * devicePixelRatio), Math.round(1 * devicePixelRatio), 1, 1).data;
    const want = colour('--bg-raised').match(/\d+/g)!.map(Number);
    if ([0, 1, 2].some((k) => Math.abs(px[k]! - want[k]!) > 3)) problems.push(`the timeline's ruler is drawn rgb(${px[0]}, ${px[1]}, ${px[2]}), not the theme's ${colour('--bg-raised')}`);
    const view = document.querySelector('.timeline-viewport')!.getBoundingClientRect();
    for (const el of document.querySelectorAll('.playhead-handle, .playhead-frame')) {
      const r = el.getBoundingClientRect();
      const c = clipped(el);
      if (r.left < view.left - 1 || r.right > view.right + 1 || r.left < c.left - 1 || r.right > c.right + 1) problems.push(`${describe(el)} is cut off (x ${Math.round(r.left)}–${Math.round(r.right)}, timeline ${Math.round(view.left)}–${Math.round(view.right)})`);
    }
  }
  return problems;
}

/** Lets layout and a frame or two settle after a resize or a navigation. */
async function settle(page: Page, ms = 250): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(ms);
}

for (const theme of ['light', 'dark'] as const) {
  test(`every page and dialog in the ${theme} theme at 1440×900 and 1280×720`, async ({}, testInfo) => {
    test.setTimeout(300_000);
    const t0 = Date.now();
    const problems: string[] = [];
    const context = await browser.newContext({ viewport: SIZES[0] });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

    // Many pages at two sizes: each look gives its time back to the test's timeout (support.ts), so a busy machine's
    // slower pass is not cut off; the timeout still ends a step that hangs.
    const stepDone = stepClock();
    /** Screenshots the current state at each size and collects what breaks the invariants. */
    const look = async (name: string) => {
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await settle(page);
        const tag = `${theme} ${size.width}×${size.height} ${name}`;
        await page.screenshot({ path: testInfo.outputPath(`${theme}-${size.width}x${size.height}-${name}.png`), fullPage: true });
        const found = (await page.evaluate(layoutProblems)).map((p) => `[${tag}] ${p}`);
        for (const p of found) console.log(p);
        problems.push(...found);
      }
      await page.setViewportSize(SIZES[0]);
      stepDone();
    };
    const go = async (hash: string) => {
      await page.evaluate((h) => (location.hash = h), hash);
      await settle(page);
    };
    const closeDialog = async () => {
      const at = await page.evaluate(() => location.hash);
      await page.keyboard.press('Escape');
      await expect(page.locator('dialog[open]')).toHaveCount(0);
      expect(await page.evaluate(() => location.hash), 'Esc closes the dialog and stays on the page').toBe(at);
    };
    const P = `#/project/${projectId}`;

    // The theme: the dark pass starts light on the footage page and switches with the top bar's button, so the
    // timeline (drawn on a canvas) must follow a switch made while it is shown.
    await page.goto(web.url);
    await api(page, 'settings.update', { theme: 'light' });
    await page.goto(`${web.url}${P}/footage/${captureId}`);
    await page.reload();
    const timeline = page.getByRole('slider', { name: 'Timeline' });
    await expect(timeline).toHaveAttribute('aria-valuemax', String(FRAMES - 1), { timeout: 30_000 });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    if (theme === 'dark') {
      await settle(page);
      await page.getByRole('button', { name: /^Theme: Light/ }).click();
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    }
    await dismissNotifications(page);
    await look('footage');

    // Library, Trash, the jobs drawer.
    await go('#/');
    await expect(page.getByRole('heading', { name: 'Library', level: 1 })).toBeVisible();
    await look('library');
    await page.getByRole('button', { name: 'New project' }).first().click();
    await expect(page.getByRole('dialog', { name: 'New project' })).toBeVisible();
    await look('dialog-new-project');
    await closeDialog();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    await look('dialog-settings');
    await closeDialog();
    await page.getByRole('button', { name: 'Keyboard shortcuts (?)' }).click();
    await expect(page.locator('dialog[open]')).toBeVisible();
    await look('dialog-shortcuts');
    await closeDialog();
    await page.getByRole('button', { name: 'Jobs', exact: true }).click();
    await expect(page.getByRole('complementary', { name: 'Jobs' })).toBeVisible();
    await look('library-jobs-panel');
    await page.getByRole('button', { name: 'Jobs', exact: true }).click();
    await go('#/trash');
    await look('trash');
    await page.getByRole('button', { name: 'Empty Trash…' }).click();
    await expect(page.locator('dialog[open]')).toBeVisible();
    await look('dialog-empty-trash');
    await closeDialog();

    // The project: overview, footage (timeline, playhead at the last frame), tracking.
    await go(P);
    await expect(page.getByRole('heading', { name: 'Layout pass', level: 1 })).toBeVisible();
    await look('project-overview');
    await go(`${P}/footage/${captureId}`);
    await expect(timeline).toBeVisible();
    await timeline.focus();
    await page.keyboard.press('End');
    await expect(timeline).toHaveAttribute('aria-valuenow', String(FRAMES - 1));
    await look('footage-last-frame');

    // The preview zooms to inspect the fit (the wheel at the pointer, + / − / 0 over it, a drag pans) with the
    // tracked mesh on the same pixels; on a frame with two faces, the other face's box opens "Track this face
    // instead?".
    await page.keyboard.press('Home');
    for (let k = 0; k < TWO_FACES / 10; k++) await page.keyboard.press('Shift+ArrowRight');
    await expect(timeline).toHaveAttribute('aria-valuenow', String(TWO_FACES));
    await page.keyboard.press('m');
    const view = page.getByTestId('preview-view');
    await expect(page.getByTestId('tracking-mesh')).toBeVisible();
    await page.getByRole('button', { name: 'Follow face 2 instead' }).click();
    await expect(page.getByRole('dialog', { name: 'Track this face instead?' })).toBeVisible();
    await look('dialog-track-face');
    await closeDialog();
    const meshBox = async () => {
      const r = await page.evaluate(() => {
        const img = document.querySelector('.preview-full')!.getBoundingClientRect();
        const svg = document.querySelector('.tracking-overlay')!.getBoundingClientRect();
        return { img: [img.left, img.top, img.width, img.height], svg: [svg.left, svg.top, svg.width, svg.height] };
      });
      // The overlay and the image are one zoomed layer: the same box at any zoom, so the mesh stays registered.
      r.svg.forEach((v, k) => expect(Math.abs(v - r.img[k]!), `overlay box vs image box ${JSON.stringify(r)}`).toBeLessThan(0.5));
      return r.img;
    };
    const fitBox = await meshBox();
    const vb = (await view.boundingBox())!;
    await page.mouse.move(vb.x + vb.width * 0.5, vb.y + vb.height * 0.4);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await view.getAttribute('data-zoom'))).toBeGreaterThan(1.5);
    await page.keyboard.press('+');
    const zoomed = Number(await view.getAttribute('data-zoom'));
    expect(zoomed, '+ over the preview zooms the preview').toBeGreaterThan(2);
    await expect(timeline).toHaveAttribute('aria-valuenow', String(TWO_FACES));
    const zBox = await meshBox();
    expect(zBox[2]! / fitBox[2]!).toBeCloseTo(zoomed, 1);
    await page.mouse.down();
    await page.mouse.move(vb.x + vb.width * 0.5 + 40, vb.y + vb.height * 0.4 + 25, { steps: 4 });
    await page.mouse.up();
    const panned = await meshBox();
    expect(panned[0]! - zBox[0]!, 'a drag pans the picture with the pointer').toBeCloseTo(40, 0);
    await expect(page.getByTestId('preview-zoom')).toBeVisible();
    await look('footage-zoomed');
    await page.mouse.move(vb.x + vb.width * 0.5, vb.y + vb.height * 0.4);
    await page.keyboard.press('0');
    await expect(view).toHaveAttribute('data-zoom', '1.000');
    await page.mouse.move(1, 1);
    await page.keyboard.press('m');
    await expect(page.getByTestId('tracking-mesh')).toHaveCount(0);
    await page.getByRole('button', { name: 'Delete capture' }).click();
    await expect(page.locator('dialog[open]')).toBeVisible();
    await look('dialog-delete-capture');
    await closeDialog();
    const clips = [makeVideo(media, 'a.mp4', { size: '64x64', rate: 10, seconds: 0.3 }), makeVideo(media, 'b.mp4', { size: '64x64', rate: 10, seconds: 0.3 })];
    await page.getByTestId('footage-file-input').setInputFiles(clips);
    await expect(page.getByRole('dialog', { name: 'Import footage' })).toBeVisible();
    await look('dialog-import-footage');
    await page.getByRole('dialog', { name: 'Import footage' }).getByRole('button', { name: 'Cancel' }).click();
    await go(`${P}/tracking`);
    await look('tracking');

    // The Avatar section: the avatars table, the Bake and Export dialogs, the report, the 3D viewport.
    await go(`${P}/training`);
    const table = page.getByRole('table', { name: 'Trained avatars' });
    await expect(table).toBeVisible();
    await expect(page.getByTestId('baked-badge')).toBeVisible();
    await look('avatar');
    await table.getByTestId('bake-open').click();
    await expect(page.getByTestId('bake-start')).toBeVisible();
    await expect(page.locator('dialog[open] img').first()).toBeVisible();
    await look('dialog-bake');
    await closeDialog();
    await table.getByRole('button', { name: /^Export / }).click();
    await expect(page.locator('dialog[open]')).toBeVisible();
    await look('dialog-export');
    await closeDialog();
    await go(`${P}/training/${avatarId}`);
    await expect(page.locator('.training-report')).toBeVisible();
    await look('avatar-report');
    // A report image, large: ←/→ step through the evaluated frames, 1/2/3 switch the image, Esc closes it only.
    await page.getByRole('button', { name: /^Enlarge render of frame/ }).click();
    const lightbox = page.getByRole('dialog', { name: /^Render · Frame 30/ });
    await expect(lightbox).toBeVisible();
    await expect(page.getByTestId('lightbox-image')).toHaveJSProperty('complete', true);
    await expect.poll(async () => Number(await page.getByTestId('lightbox-image').getAttribute('data-scale'))).toBeGreaterThanOrEqual(4);
    await look('dialog-report-image');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('lightbox-position')).toHaveText('2 of 2');
    await expect(page.getByRole('dialog', { name: /^Render · Frame 90/ })).toBeVisible();
    await page.keyboard.press('3');
    await expect(page.getByRole('dialog', { name: /^Error ×4 · Frame 90/ })).toBeVisible();
    await closeDialog();
    await expect(page.locator('.training-report')).toBeVisible();
    await expect(page.locator('.training-report-list tr.is-selected')).toContainText('90');
    await go(`${P}/viewport/${avatarId}`);
    await waitUntil('the 3D viewport to render', () => textOf(page.getByTestId('viewport-stats')), (t) => /^\d+ ms/.test(t ?? ''));
    await expect(page.getByTestId('viewport-stats')).toHaveText(/^\d+ ms/);
    await look('viewport-3d');
    // Playback keeps real time: the panel says what rate reaches the screen (SwiftShader drops frames here).
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect(page.getByTestId('viewport-playback-rate')).toHaveText(/fps/);
    await expect(page.getByTestId('viewport-playback-rate')).toHaveText(/\d(\.\d)? (of \d+ )?fps/, { timeout: 20_000 });
    await look('viewport-3d-playing');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();

    // Texture, Live and Export: the pick lists and the avatar's pages.
    await go(`${P}/texture`);
    await look('texture-list');
    await go(`${P}/texture/${avatarId}`);
    await waitUntil("the texture editor's 3D view to be ready", () => attrOf(page.getByTestId('texture-view3d'), 'data-state'), (s) => s === 'ready' || s === 'error');
    await expect(page.getByTestId('texture-view3d')).toHaveAttribute('data-state', 'ready');
    await look('texture-editor');
    await go(`${P}/live`);
    await look('live-list');
    await go(`${P}/live/${avatarId}`);
    await waitUntil('the Live page to be ready', () => attrOf(page.getByTestId('live'), 'data-state'), (s) => s === 'ready' || s === 'error');
    await expect(page.getByTestId('live')).toHaveAttribute('data-state', 'ready');
    await page.waitForTimeout(1000);
    await look('live');
    await go(`${P}/export`);
    await look('export-list');

    await context.close();
    console.log(`[layout-pass] ${theme}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${problems.length} problems`);
    expect(problems, `layout problems (screenshots in ${testInfo.outputDir})`).toEqual([]);
  });
}
