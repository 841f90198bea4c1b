/**
 * Where the Live page tracks its camera frames, chosen per machine (docs/live.md):
 *  - `host`: the frame as raw RGB base64 over the StudioApi to `live.track` (the services host's tracker on
 *    onnxruntime-node, 2 threads);
 *  - `page`: the same tracker on onnxruntime-web's WASM in a worker of this page (trackWorker.ts; models from
 *    `live.model`), the video frame handed over as a VideoFrame (scaled to the same ≤ 480 px and read in the
 *    worker) — no copy on the main thread, no base64, no transfer to another process.
 * `auto` measures both on the first frames and keeps the one with the shorter median round trip (grab → landmarks
 * in the page); the other is released. The host tracks the first frames alone (its models load meanwhile), then the
 * page's tracker loads while the host drives, then the two take turns frame by frame, so both are measured under the
 * same load (the avatar renders only once the driver is calibrated: measuring one path before and the other after
 * would favour the first). Either path stays selectable. Works the same in Electron (IPC) and web mode (WebSocket): both paths go through the page's own APIs.
 */
import { studio } from '../../store/studio';
import { liveFrameSize } from '@tracking/live-loop';
import { FrameGrabber } from './frameGrabber';
import type { TrackWorkerIn, TrackWorkerOut } from './trackWorker';

export type TrackingPathId = 'host' | 'page';
export type TrackingMode = 'auto' | TrackingPathId;

export interface TrackedFrame {
  tracked: boolean;
  reason: string | null;
  landmarks: ArrayLike<number> | null;
  /** The tracker's own share (ms): the host's call (`hostMs`), or the worker's pixels + tracker. */
  workMs: number;
}

export interface LiveTracker {
  readonly id: TrackingPathId;
  /** Resolves once the tracker can take frames (the page path loads its models and ORT first). */
  readonly ready: Promise<void>;
  track(video: HTMLVideoElement, captureTime: number, reset: boolean): Promise<TrackedFrame>;
  close(): void;
}

/** Host path: `live.track` with raw RGB at ≤ 480 px (frameGrabber.ts). */
export class HostTracker implements LiveTracker {
  readonly id = 'host' as const;
  readonly ready = Promise.resolve();
  private readonly grabber = new FrameGrabber();
  private readonly session = crypto.randomUUID().replace(/-/g, '');

  async track(video: HTMLVideoElement, captureTime: number, reset: boolean): Promise<TrackedFrame> {
    const frame = this.grabber.grab(video, captureTime);
    const r = await studio().client.call('live.track', { session: this.session, ...frame.payload, time: frame.captureTime, reset });
    return { tracked: r.tracked, reason: r.reason, landmarks: r.tracked ? r.landmarks : null, workMs: r.hostMs };
  }

  close(): void {
    void studio().client.call('live.close', { session: this.session }).catch(() => undefined);
  }
}

const MODELS = ['blazeface', 'facemesh', 'iris'] as const;
/** The models, fetched once per page load (≈ 6 MB) and shared by the page trackers of later sessions. */
let modelBytes: Promise<Record<string, Uint8Array>> | null = null;

function fetchModels(): Promise<Record<string, Uint8Array>> {
  modelBytes ??= Promise.all(
    MODELS.map(async (name) => {
      const m = await studio().client.call('live.model', { name });
      const bin = atob(m.onnx);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return [name, bytes] as const;
    }),
  ).then(Object.fromEntries, (err: unknown) => {
    modelBytes = null;
    throw err;
  });
  return modelBytes;
}

/** Page path: the tracker in a worker on onnxruntime-web (trackWorker.ts). */
export class PageTracker implements LiveTracker {
  readonly id = 'page' as const;
  readonly ready: Promise<void>;
  private readonly worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (r: TrackedFrame) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor() {
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    this.ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined);
    try {
      this.worker = new Worker(new URL('./trackWorker.ts', import.meta.url), { type: 'module', name: 'live-tracker' });
    } catch (err) {
      settle.reject(new Error(`this page cannot start a worker (${err instanceof Error ? err.message : String(err)})`));
      return;
    }
    this.worker.onmessage = (e: MessageEvent<TrackWorkerOut>) => {
      const m = e.data;
      if (m.type === 'ready') settle.resolve();
      else if (m.type === 'failed') settle.reject(new Error(`the page's tracker did not start: ${m.message}`));
      else {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.type === 'error') w?.reject(new Error(m.message));
        else w?.resolve({ tracked: m.tracked, reason: m.reason, landmarks: m.landmarks, workMs: m.ms });
      }
    };
    this.worker.onerror = (e) => {
      const err = new Error(`the page's tracker failed: ${e.message || 'worker error'}`);
      settle.reject(err);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    fetchModels().then(
      (models) => {
        if (this.closed) return;
        const copies = Object.fromEntries(Object.entries(models).map(([k, v]) => [k, v.slice()]));
        this.post({ type: 'init', models: copies }, Object.values(copies).map((b) => b.buffer));
      },
      (err: unknown) => settle.reject(new Error(`the page's tracker has no models: ${err instanceof Error ? err.message : String(err)}`)),
    );
  }

  private post(m: TrackWorkerIn, transfer: Transferable[]): void {
    this.worker?.postMessage(m, transfer);
  }

  async track(video: HTMLVideoElement, captureTime: number, reset: boolean): Promise<TrackedFrame> {
    await this.ready;
    const { width, height } = liveFrameSize(video.videoWidth, video.videoHeight);
    // the video's current frame as it is (a VideoFrame: no copy here), scaled and read in the worker
    const frame: VideoFrame | ImageBitmap = typeof VideoFrame === 'function' ? new VideoFrame(video) : await createImageBitmap(video);
    if (this.closed) {
      frame.close();
      throw new Error('the page tracker was closed');
    }
    const id = this.nextId++;
    return new Promise<TrackedFrame>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: 'track', id, frame, width, height, time: captureTime, reset }, [frame]);
    });
  }

  close(): void {
    this.closed = true;
    this.worker?.terminate();
    for (const w of this.waiting.values()) w.reject(new Error('the page tracker was closed'));
    this.waiting.clear();
  }
}

/** Frames measured per path by `auto` after its warm-up frames (the first frames load models and compile kernels). */
export const TRIAL_FRAMES = 12;
export const WARMUP_FRAMES = 6;
/** `auto` starts loading the page's tracker after this many host frames (not during the host's own model load). */
export const HOST_FIRST_FRAMES = 5;
/** A tracker that has not tracked for this long (ms) forgets its face (re-detects) on its next frame. */
const STALE_MS = 1000;
/** `auto` gives up on the page path if its tracker has not loaded by then (ms) and stays on the host. */
export const PAGE_LOAD_TIMEOUT_MS = 30_000;

export interface PathState {
  mode: TrackingMode;
  /** The path tracking now. */
  active: TrackingPathId;
  /** `auto`: what it is doing (host frames first, loading the page's tracker, both in turns, done), and the medians it measured (ms per frame, page round trip). */
  trial: 'host' | 'loading-page' | 'comparing' | 'done' | null;
  hostMs: number | null;
  pageMs: number | null;
  /** Why the page path is not available, when it is not. */
  pageProblem: string | null;
}

/** Consecutive frames the page path may fail before the host takes over for good. */
export const MAX_PAGE_ERRORS = 3;

/** Whether a promise has settled rejected (after a turn: a pending one counts as not rejected). */
async function isRejected(p: Promise<unknown>): Promise<boolean> {
  return Promise.race([p.then(() => false, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))]);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/**
 * The tracking path of one Live page: `track` each new camera frame through the active path; in `auto` mode it runs
 * the trial described above and settles on the faster path. Pure coordination (trackers come from the factories), so
 * the choice can be tested without a browser.
 */
export class TrackingPaths {
  private trackers: Partial<Record<TrackingPathId, LiveTracker>> = {};
  private samples: Record<TrackingPathId, number[]> = { host: [], page: [] };
  private seen: Record<TrackingPathId, number> = { host: 0, page: 0 };
  private lastTracked: Record<TrackingPathId, number> = { host: -Infinity, page: -Infinity };
  private pageErrors = 0;
  private loadingSince = 0;
  readonly state: PathState;

  constructor(
    mode: TrackingMode,
    private readonly make: Record<TrackingPathId, () => LiveTracker>,
    private readonly onChange: (s: PathState) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.state = { mode, active: mode === 'page' ? 'page' : 'host', trial: mode === 'auto' ? 'host' : null, hostMs: null, pageMs: null, pageProblem: null };
  }

  /** Switches mode: `auto` starts a new trial; a fixed path releases the other. */
  setMode(mode: TrackingMode): void {
    if (mode === this.state.mode) return;
    this.samples = { host: [], page: [] };
    this.seen = { host: 0, page: 0 };
    Object.assign(this.state, { mode, trial: mode === 'auto' ? 'host' : null, hostMs: null, pageMs: null });
    this.state.active = mode === 'page' ? 'page' : 'host';
    if (mode !== 'auto') this.release(mode === 'page' ? 'host' : 'page');
    this.onChange({ ...this.state });
  }

  private tracker(id: TrackingPathId): LiveTracker {
    let t = this.trackers[id];
    if (!t) {
      t = this.trackers[id] = this.make[id]();
      if (id === 'page') {
        this.loadingSince = this.now();
        t.ready.catch((err: unknown) => {
          this.state.pageProblem = err instanceof Error ? err.message : String(err);
          this.release('page');
          if (this.state.active === 'page') this.state.active = 'host';
          if (this.state.trial && this.state.trial !== 'done') this.state.trial = 'done';
          this.onChange({ ...this.state });
        });
      }
    }
    return t;
  }

  private release(id: TrackingPathId): void {
    this.trackers[id]?.close();
    delete this.trackers[id];
  }

  /** Tracks one frame on the active path; `reset` forgets the tracked face (a new source). */
  async track(video: HTMLVideoElement, captureTime: number, reset: boolean): Promise<TrackedFrame & { path: TrackingPathId; roundTripMs: number }> {
    let path = this.state.active;
    const t0 = this.now();
    let r: TrackedFrame;
    try {
      // a tracker that has not tracked lately starts afresh (the other path held the face meanwhile)
      r = await this.tracker(path).track(video, captureTime, reset || t0 - this.lastTracked[path] > STALE_MS);
      this.pageErrors = path === 'page' ? 0 : this.pageErrors;
    } catch (err) {
      if (path !== 'page') throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (this.trackers.page && !(await isRejected(this.trackers.page.ready)) && ++this.pageErrors < MAX_PAGE_ERRORS) {
        // one frame the page could not take (e.g. the video between two sources): untracked, the page path stays
        r = { tracked: false, reason: 'error', landmarks: null, workMs: 0 };
      } else {
        // the page's tracker did not load, or fails frame after frame: say why, and go on with the host
        this.state.pageProblem ??= message;
        this.release('page');
        if (this.state.trial && this.state.trial !== 'done') this.state.trial = 'done';
        this.state.active = path = 'host';
        this.onChange({ ...this.state });
        r = await this.tracker('host').track(video, captureTime, true);
      }
    }
    const roundTripMs = this.now() - t0;
    this.lastTracked[path] = this.now();
    if (this.state.mode === 'auto') this.advanceTrial(path, roundTripMs);
    return { ...r, path, roundTripMs };
  }

  private advanceTrial(path: TrackingPathId, ms: number): void {
    const s = this.state;
    if (s.trial === 'done' || s.trial === null) return;
    ++this.seen[path];
    if (s.trial === 'host' && this.seen.host >= HOST_FIRST_FRAMES) {
      s.trial = 'loading-page';
      // the page's tracker loads now, after the host's own model load; the host drives meanwhile, then both take turns
      void this.tracker('page').ready.then(
        () => {
          if (s.trial !== 'loading-page') return;
          s.trial = 'comparing';
          this.seen = { host: 0, page: 0 };
          s.active = 'page';
          this.onChange({ ...s });
        },
        () => undefined,
      );
      this.onChange({ ...s });
    } else if (s.trial === 'loading-page' && this.now() - this.loadingSince > PAGE_LOAD_TIMEOUT_MS) {
      s.pageProblem = `the page's tracker did not load in ${PAGE_LOAD_TIMEOUT_MS / 1000} s`;
      this.settle('host');
    } else if (s.trial === 'comparing') {
      if (this.seen[path] > WARMUP_FRAMES) this.samples[path].push(ms);
      if (this.samples.host.length >= TRIAL_FRAMES && this.samples.page.length >= TRIAL_FRAMES) {
        s.hostMs = median(this.samples.host);
        s.pageMs = median(this.samples.page);
        this.settle(s.pageMs < s.hostMs ? 'page' : 'host');
      } else s.active = path === 'host' ? 'page' : 'host';
    }
  }

  private settle(path: TrackingPathId): void {
    this.state.trial = 'done';
    this.state.active = path;
    this.release(path === 'page' ? 'host' : 'page');
    this.onChange({ ...this.state });
  }

  close(): void {
    this.release('host');
    this.release('page');
  }
}
