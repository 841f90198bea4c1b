import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aboutPanel, describeAdapter } from './about';
import { CrashLog, describeError } from './crash-log';
import { findDeepLink, parseDeepLink } from './deep-link';
import { acceleratorsOf, buildMenuTemplate, commandsOf, type MenuSpec } from './menu-template';
import { MAX_RECENT, RecentProjects } from './recent-projects';
import { debounce, DEFAULT_WINDOW, fitToDisplays, parseWindowState, WindowStateStore } from './window-state';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'desktop-state-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const id = (c: string) => c.repeat(32);

describe('window state', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1040 };
  const right = { x: 1920, y: 0, width: 2560, height: 1400 };

  it('round-trips through its file and survives garbage', () => {
    const store = new WindowStateStore(path.join(tmp(), 'window-state.json'));
    expect(store.load()).toEqual(DEFAULT_WINDOW);
    store.save({ bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true, fullScreen: false });
    expect(store.load()).toEqual({ bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true, fullScreen: false });
    expect(parseWindowState('x')).toEqual(DEFAULT_WINDOW);
    expect(parseWindowState({ bounds: { width: -5, height: 'a', x: 1 } })).toEqual(DEFAULT_WINDOW);
    expect(parseWindowState({ bounds: { width: 1000.4, height: 700, x: NaN, y: 3 } }).bounds).toEqual({ width: 1000, height: 700 });
  });
  it('keeps a position that is on a display, on that display', () => {
    expect(fitToDisplays({ bounds: { x: 2000, y: 100, width: 1600, height: 1000 }, maximized: false, fullScreen: false }, [primary, right])).toEqual({ x: 2000, y: 100, width: 1600, height: 1000 });
  });
  it('centres a window whose display is gone, and shrinks it to fit', () => {
    const b = fitToDisplays({ bounds: { x: 2000, y: 100, width: 2400, height: 1300 }, maximized: false, fullScreen: false }, [primary]);
    expect(b).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
    const c = fitToDisplays({ bounds: { x: -5000, y: -5000, width: 1000, height: 700 }, maximized: false, fullScreen: false }, [primary]);
    expect(c).toEqual({ x: 460, y: 170, width: 1000, height: 700 });
  });
  it('pulls a window hanging off the edge back inside, and centres when no position was saved', () => {
    const b = fitToDisplays({ bounds: { x: 1800, y: 900, width: 1000, height: 700 }, maximized: false, fullScreen: false }, [primary]);
    expect(b).toEqual({ x: 920, y: 340, width: 1000, height: 700 });
    expect(fitToDisplays(DEFAULT_WINDOW, [primary])).toEqual({ x: 240, y: 70, width: 1440, height: 900 });
    // A title bar above the top of every display is not reachable: centre.
    expect(fitToDisplays({ bounds: { x: 100, y: -500, width: 1000, height: 700 }, maximized: false, fullScreen: false }, [primary]).y).toBe(170);
  });
  it('never goes below the minimum size unless the display is smaller', () => {
    expect(fitToDisplays({ bounds: { width: 200, height: 100 }, maximized: false, fullScreen: false }, [primary])).toMatchObject({ width: 960, height: 600 });
    expect(fitToDisplays({ bounds: { width: 1440, height: 900 }, maximized: false, fullScreen: false }, [{ x: 0, y: 0, width: 800, height: 560 }])).toMatchObject({ width: 800, height: 560 });
  });
  it('debounce runs the last call once, and flush runs it now', async () => {
    const calls: number[] = [];
    const d = debounce((n: number) => calls.push(n), 20);
    d(1);
    d(2);
    d(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([3]);
    d(4);
    d.flush();
    expect(calls).toEqual([3, 4]);
  });
});

describe('recent projects', () => {
  it('keeps the newest first, per library, deduplicated, capped, persisted', () => {
    const file = path.join(tmp(), 'recent.json');
    let t = 0;
    const r = new RecentProjects(file, () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)));
    expect(r.touch({ id: id('a'), name: 'A', library: '/lib' })).toBe(true);
    r.touch({ id: id('b'), name: 'B', library: '/lib' });
    r.touch({ id: id('c'), name: 'C', library: '/other' });
    expect(r.touch({ id: id('c'), name: 'C', library: '/other' })).toBe(false);
    r.touch({ id: id('a'), name: 'A renamed', library: '/lib' });
    expect(r.list('/lib').map((p) => p.name)).toEqual(['A renamed', 'B']);
    expect(new RecentProjects(file).list('/lib').map((p) => p.id)).toEqual([id('a'), id('b')]);
    expect(r.touch({ id: 'not-an-id', name: 'x', library: '/lib' })).toBe(false);
    for (let i = 0; i < 15; i++) r.touch({ id: i.toString(16).padStart(32, '0'), name: `P${i}`, library: '/lib' });
    expect(r.list('/lib').length + r.list('/other').length).toBe(MAX_RECENT);
  });
  it('prunes projects that are gone, renames, clears', () => {
    const r = new RecentProjects(null);
    r.touch({ id: id('a'), name: 'A', library: '/lib' });
    r.touch({ id: id('b'), name: 'B', library: '/lib' });
    r.touch({ id: id('c'), name: 'C', library: '/x' });
    expect(r.prune('/lib', new Set([id('b')]))).toBe(true);
    expect(r.list('/lib').map((p) => p.id)).toEqual([id('b')]);
    expect(r.list('/x')).toHaveLength(1);
    expect(r.rename('/lib', id('b'), 'Bee')).toBe(true);
    expect(r.list('/lib')[0]!.name).toBe('Bee');
    r.clear('/lib');
    expect(r.list('/lib')).toEqual([]);
    expect(r.list('/x')).toHaveLength(1);
  });
  it('ignores a corrupt file', () => {
    const file = path.join(tmp(), 'recent.json');
    fs.writeFileSync(file, '[{"id": 3}, "x", {"id": "' + id('d') + '", "name": "D", "library": "/l", "openedAt": "t"}');
    expect(new RecentProjects(file).list('/l')).toEqual([]);
    fs.writeFileSync(file, JSON.stringify([{ id: 3 }, 'x', { id: id('d'), name: 'D', library: '/l', openedAt: 't' }]));
    expect(new RecentProjects(file).list('/l').map((p) => p.name)).toEqual(['D']);
  });
});

describe('deep links', () => {
  it('parses project links into routes', () => {
    expect(parseDeepLink(`avatar-studio://open/project/${id('a')}`)).toEqual({ kind: 'project', projectId: id('a'), section: null, route: `#/project/${id('a')}` });
    expect(parseDeepLink(`avatar-studio://open/project/${id('a')}/`)?.route).toBe(`#/project/${id('a')}`);
    expect(parseDeepLink(`avatar-studio://open/project/${id('A')}/footage`)?.route).toBe(`#/project/${id('a')}/footage`);
    expect(parseDeepLink(`avatar-studio://open/project/${id('b')}/live`)?.section).toBe('live');
    expect(parseDeepLink(`avatar-studio:open/project/${id('b')}`)?.projectId).toBe(id('b'));
  });
  it('refuses anything else', () => {
    for (const bad of [
      `studio://open/project/${id('a')}`,
      `https://open/project/${id('a')}`,
      'avatar-studio://open/project/123',
      `avatar-studio://open/project/${id('a')}/settings`,
      `avatar-studio://open/project/${id('a')}/footage/x`,
      `avatar-studio://delete/project/${id('a')}`,
      `avatar-studio://open/project/${id('a')}/../../etc`,
      'avatar-studio://',
      'not a url',
      `avatar-studio://open/project/${id('a')}${'/x'.repeat(2000)}`,
    ]) {
      expect(parseDeepLink(bad), bad).toBeNull();
    }
  });
  it('finds the link among command-line arguments', () => {
    const argv = ['/opt/Avatar Studio/avatar-studio', '--no-sandbox', 'avatar-studio://nope', `avatar-studio://open/project/${id('c')}`];
    expect(findDeepLink(argv)?.projectId).toBe(id('c'));
    expect(findDeepLink(['/usr/bin/app', '--library', '/x'])).toBeNull();
  });
});

describe('menu template', () => {
  const base = { appName: 'Avatar Studio', recent: [{ id: id('a'), name: 'Tom & Jerry' }], projectOpen: true, readOnly: false, isDev: false };
  const find = (items: MenuSpec[], label: string): MenuSpec | undefined => {
    for (const i of items) {
      if (i.label === label) return i;
      const f = find(i.submenu ?? [], label);
      if (f) return f;
    }
    return undefined;
  };

  for (const platform of ['darwin', 'win32', 'linux'] as const) {
    it(`${platform}: unique accelerators, the main commands, recent projects`, () => {
      const t = buildMenuTemplate({ ...base, platform });
      const acc = acceleratorsOf(t);
      expect(new Set(acc).size).toBe(acc.length);
      const cmds = commandsOf(t);
      for (const c of ['new-project', 'import-footage', 'open-library', 'show-about', 'show-crash-log', `open-recent:${id('a')}`, 'clear-recent']) expect(cmds).toContain(c);
      expect(find(t, 'Tom && Jerry')?.command).toBe(`open-recent:${id('a')}`);
      expect(find(t, 'Import Footage…')?.accelerator).toBe('CmdOrCtrl+I');
      expect(cmds.filter((c) => c === 'show-about')).toHaveLength(1);
      // No developer tools in a release build.
      expect(JSON.stringify(t)).not.toContain('toggleDevTools');
    });
  }
  it('macOS has the app menu first; others have Exit in File', () => {
    expect(buildMenuTemplate({ ...base, platform: 'darwin' })[0]!.label).toBe('Avatar Studio');
    const win = buildMenuTemplate({ ...base, platform: 'win32' });
    expect(win[0]!.label).toBe('&File');
    expect(win[0]!.submenu!.at(-1)).toMatchObject({ role: 'quit' });
  });
  it('disables what cannot run now, and shows dev tools in development', () => {
    const t = buildMenuTemplate({ ...base, platform: 'linux', projectOpen: false, readOnly: true, recent: [], isDev: true });
    expect(find(t, 'Import Footage…')?.enabled).toBe(false);
    expect(find(t, 'New Project')?.enabled).toBe(false);
    expect(find(t, 'No Recent Projects')?.enabled).toBe(false);
    expect(JSON.stringify(t)).toContain('toggleDevTools');
  });
});

describe('crash log', () => {
  it('appends JSON lines, reads newest first, rotates past the limit, skips torn lines', () => {
    const file = path.join(tmp(), 'logs', 'crash.log');
    const log = new CrashLog(file, { maxBytes: 600, versions: { electron: '45.4.1' } });
    log.record('render-process-gone', 'renderer crashed', { reason: 'crashed', exitCode: 139 });
    log.record('uncaught-exception', describeError(new TypeError('boom')).message);
    const entries = log.read();
    expect(entries.map((e) => e.kind)).toEqual(['uncaught-exception', 'render-process-gone']);
    expect(entries[0]!.message).toBe('TypeError: boom');
    expect(entries[1]!.details).toEqual({ reason: 'crashed', exitCode: 139 });
    expect(entries[1]!.versions).toEqual({ electron: '45.4.1' });
    for (let i = 0; i < 10; i++) log.record('engine-exit', `exit ${i}`);
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    expect(fs.statSync(file).size).toBeLessThan(1200);
    expect(log.read(3).map((e) => e.message)).toEqual(['exit 9', 'exit 8', 'exit 7']);
    fs.appendFileSync(file, '{"time": "torn');
    expect(log.read(1)[0]!.message).toBe('exit 9');
  });
  it('never throws when it cannot write', () => {
    const file = path.join(tmp(), 'file-not-dir');
    fs.writeFileSync(file, 'x');
    const log = new CrashLog(path.join(file, 'crash.log'));
    expect(() => log.record('engine-exit', 'x')).not.toThrow();
    expect(log.read()).toEqual([]);
  });
});

describe('about panel', () => {
  const adapter = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'Google SwiftShader', backend: 'browser', isFallbackAdapter: true, featureLevel: 'core' as const, via: 'chromium', reason: 'The adapter of the WebGPU this page runs on.' };
  it('names the adapter and the host', () => {
    expect(describeAdapter(adapter)).toBe('google swiftshader Google SwiftShader (browser, CPU fallback)');
    expect(describeAdapter(null)).toBe('not started');
    const p = aboutPanel({ appName: 'Avatar Studio', version: '0.1.0', versions: { electron: '45.4.1', chrome: '140', node: '22', v8: '14', sqlite: '3.50' }, gpu: { adapter, host: 'chromium', error: null } });
    expect(p.credits).toContain('GPU: google swiftshader Google SwiftShader (browser, CPU fallback) via the chromium engine host');
    expect(p.credits).toContain('Why this adapter: The adapter of the WebGPU this page runs on.');
    expect(p.detail).toMatch(/^Version 0\.1\.0\nElectron 45\.4\.1/);
    expect(aboutPanel({ appName: 'A', version: '1', versions: {}, gpu: { adapter: null, host: 'chromium', error: 'no adapter' } }).credits).toContain('GPU: unavailable — no adapter');
  });
});

describe('footage dropped outside a drop target', () => {
  it('accepts local footage files only', async () => {
    const { droppedFootagePath, projectNameForFile, projectIdOfUrl } = await import('./footage-drop');
    expect(droppedFootagePath('file:///home/me/clips/take%201.MP4')).toBe('/home/me/clips/take 1.MP4');
    expect(droppedFootagePath('file:///home/me/a.png')).toBe('/home/me/a.png');
    expect(droppedFootagePath('file:///home/me/notes.txt')).toBeNull();
    expect(droppedFootagePath('file://server/share/a.mp4')).toBeNull();
    expect(droppedFootagePath('https://example.com/a.mp4')).toBeNull();
    expect(droppedFootagePath('nonsense')).toBeNull();
    expect(projectNameForFile('/x/my_take__01.final.mov')).toBe('my take 01.final');
    expect(projectNameForFile('/x/.mp4')).toBe('Untitled project');
    expect(projectIdOfUrl(`studio://app/index.html#/project/${id('e')}/footage`)).toBe(id('e'));
    expect(projectIdOfUrl('studio://app/index.html#/trash')).toBeNull();
  });
});
