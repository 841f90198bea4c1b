import { describe, expect, it } from 'vitest';
import { rgbaToRgbBase64 } from './frameGrabber';
import { RollingRate, RollingStat } from './metrics';
import { HOST_FIRST_FRAMES, MAX_PAGE_ERRORS, PAGE_LOAD_TIMEOUT_MS, TRIAL_FRAMES, TrackingPaths, WARMUP_FRAMES, type LiveTracker, type TrackingPathId } from './trackingPath';

describe('live metrics', () => {
  it('counts a rate over the window and keeps median / percentiles', () => {
    const r = new RollingRate(1000);
    expect(r.rate(0)).toBeNull();
    for (let t = 0; t <= 1000; t += 100) r.tick(t);
    expect(r.rate(1000)).toBeCloseTo(10);
    expect(r.rate(5000)).toBeNull();
    const s = new RollingStat(5);
    for (const v of [5, 1, 4, 2, 3, 100]) s.add(v);
    expect(s.last).toBe(100);
    expect(s.median).toBe(3);
    expect(s.percentile(95)).toBe(100);
  });
});

describe('live frame grabbing', () => {
  it('RGBA pixels → base64 of their RGB bytes (alpha dropped), as Buffer would encode them', () => {
    const n = 1001;
    const rgba = Uint8Array.from({ length: n * 4 }, (_, i) => (i * 37 + (i >> 3)) & 255);
    const rgb = Buffer.alloc(n * 3);
    for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = rgba[p * 4 + c]!;
    expect(rgbaToRgbBase64(rgba)).toBe(rgb.toString('base64'));
  });
});

/** A tracker whose round trip takes `ms` on the fake clock; `ready` settles when `load` says. */
function fakeTracker(id: TrackingPathId, clock: { t: number }, ms: number, load: Promise<void> = Promise.resolve()) {
  const calls: boolean[] = [];
  let closed = false;
  load.catch(() => undefined); // (as PageTracker's: a load failure is reported through the path state)
  const t: LiveTracker & { calls: boolean[]; closed: () => boolean } = {
    id,
    ready: load,
    calls,
    closed: () => closed,
    async track(_video, _time, reset) {
      await load;
      calls.push(reset);
      clock.t += ms;
      return { tracked: true, reason: null, landmarks: [id === 'host' ? 1 : 2], workMs: ms / 2 };
    },
    close() {
      closed = true;
    },
  };
  return t;
}

const video = {} as HTMLVideoElement;
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('live tracking path', () => {
  it('auto: the host first, then the page loads, then both in turns; the faster is kept (the other released)', async () => {
    const clock = { t: 0 };
    let loaded!: () => void;
    const host = fakeTracker('host', clock, 90);
    const page = fakeTracker('page', clock, 40, new Promise<void>((r) => (loaded = r)));
    const made: TrackingPathId[] = [];
    const paths = new TrackingPaths('auto', { host: () => (made.push('host'), host), page: () => (made.push('page'), page) }, undefined, () => clock.t);
    const seen: TrackingPathId[] = [];
    for (let i = 0; i < HOST_FIRST_FRAMES + 3; i++) seen.push((await paths.track(video, i, i === 0)).path);
    expect(seen.every((p) => p === 'host')).toBe(true);
    expect(paths.state.trial).toBe('loading-page');
    // the page loads only after the host's first frames; the host drives meanwhile
    expect(made).toEqual(['host', 'page']);
    loaded();
    await settle();
    expect(paths.state.trial).toBe('comparing');
    const turns: TrackingPathId[] = [];
    for (let i = 0; i < 2 * (WARMUP_FRAMES + TRIAL_FRAMES) && paths.state.trial === 'comparing'; i++) turns.push((await paths.track(video, 100 + i, false)).path);
    expect(turns.slice(0, 4)).toEqual(['page', 'host', 'page', 'host']);
    expect(page.calls[0]).toBe(true); // a tracker that has not tracked lately starts afresh…
    expect(page.calls.slice(1).every((r) => !r)).toBe(true); // …but taking turns is not "lately"
    expect(paths.state).toMatchObject({ trial: 'done', active: 'page', hostMs: 90, pageMs: 40 });
    expect(host.closed()).toBe(true);
    expect(page.closed()).toBe(false);
    expect((await paths.track(video, 200, false)).path).toBe('page');
  });

  it('auto keeps the host when it is faster, or when the page tracker fails or does not load', async () => {
    const clock = { t: 0 };
    const run = async (page: LiveTracker) => {
      const host = fakeTracker('host', clock, 30);
      const paths = new TrackingPaths('auto', { host: () => host, page: () => page }, undefined, () => clock.t);
      for (let i = 0; i < 3 * (WARMUP_FRAMES + TRIAL_FRAMES) && paths.state.trial !== 'done'; i++) {
        await paths.track(video, i, false);
        await settle();
      }
      return paths;
    };
    const slower = await run(fakeTracker('page', clock, 60));
    expect(slower.state).toMatchObject({ trial: 'done', active: 'host', hostMs: 30, pageMs: 60 });
    const broken = await run(fakeTracker('page', clock, 10, Promise.reject(new Error('no WebAssembly'))));
    expect(broken.state).toMatchObject({ trial: 'done', active: 'host', pageProblem: 'no WebAssembly' });
    const never = fakeTracker('page', clock, 10, new Promise<void>(() => undefined));
    const host = fakeTracker('host', clock, 30);
    const paths = new TrackingPaths('auto', { host: () => host, page: () => never }, undefined, () => clock.t);
    for (let i = 0; i < HOST_FIRST_FRAMES + 2; i++) await paths.track(video, i, false);
    clock.t += PAGE_LOAD_TIMEOUT_MS + 1;
    await paths.track(video, 0, false);
    expect(paths.state).toMatchObject({ trial: 'done', active: 'host' });
    expect(paths.state.pageProblem).toMatch(/did not load/);
    expect(never.closed()).toBe(true);
  });

  it('a chosen path is used at once, the other released; a page path that fails goes on in the host', async () => {
    const clock = { t: 0 };
    const host = fakeTracker('host', clock, 30);
    const page = fakeTracker('page', clock, 20);
    const paths = new TrackingPaths('auto', { host: () => host, page: () => page }, undefined, () => clock.t);
    await paths.track(video, 0, true);
    paths.setMode('page');
    expect(host.closed()).toBe(true);
    expect((await paths.track(video, 1, false)).path).toBe('page');
    expect(paths.state.trial).toBeNull();
    // a frame the page cannot take is untracked; frame after frame (MAX_PAGE_ERRORS), the host takes over
    const failing: LiveTracker = { id: 'page', ready: Promise.resolve(), track: () => Promise.reject(new Error('worker crashed')), close: () => undefined };
    const host2 = fakeTracker('host', clock, 30);
    const p2 = new TrackingPaths('page', { host: () => host2, page: () => failing }, undefined, () => clock.t);
    for (let i = 1; i < MAX_PAGE_ERRORS; i++) expect(await p2.track(video, i, false)).toMatchObject({ path: 'page', tracked: false, reason: 'error' });
    const r = await p2.track(video, 0, false);
    expect(r.path).toBe('host');
    expect(host2.calls).toEqual([true]);
    expect(p2.state.pageProblem).toBe('worker crashed');
    // one that never loaded: the host at once
    const dead: LiveTracker = { id: 'page', ready: Promise.reject(new Error('no WebAssembly')), track: () => Promise.reject(new Error('no WebAssembly')), close: () => undefined };
    dead.ready.catch(() => undefined);
    const p3 = new TrackingPaths('page', { host: () => fakeTracker('host', clock, 30), page: () => dead }, undefined, () => clock.t);
    expect((await p3.track(video, 0, false)).path).toBe('host');
  });
});
