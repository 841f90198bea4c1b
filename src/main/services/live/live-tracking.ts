/**
 * Live tracking in the services host (`live.track`): the Live page sends one camera frame at a time (raw RGB, or a JPEG)
 * and gets the tracked landmarks back. One `Tracker` per page session keeps the tracker's One Euro smoothing and re-detection
 * across calls (the same code the `capture.track` job runs, without the person mask). The tracker and its models
 * load on the first call of a session, so a host that never goes live never loads onnxruntime.
 *
 * Sessions end with `live.close`, or after `IDLE_MS` without a frame (a closed tab says nothing).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { LiveModelName, LiveModelResult, LiveTrackParams, LiveTrackResult } from '@shared/model/live';
import type { Tracker } from '../tracking/tracker';
import type { RgbImage } from '@tracking/types';

/** A session unused this long is closed and its models released. */
export const IDLE_MS = 30_000;
/** At most this many page sessions at once (each holds its own ONNX sessions, ~40 MB). */
export const MAX_SESSIONS = 4;

interface Session {
  tracker: Promise<Tracker>;
  lastUsed: number;
  busy: Promise<unknown>;
  index: number;
}

export class LiveTracking {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly createTracker: () => Promise<Tracker> = defaultTracker) {
    this.sweeper = setInterval(() => this.sweep(), IDLE_MS / 3);
    this.sweeper.unref();
  }

  /** Decodes and tracks one frame of `params.session`; frames of one session are tracked in the order they arrive. */
  async track(params: LiveTrackParams): Promise<LiveTrackResult> {
    const t0 = performance.now();
    const raw = rawFrame(params);
    const bytes = raw ? null : Buffer.from(params.jpeg ?? '', 'base64');
    if (bytes && (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8)) throw new StudioError('BAD_REQUEST', 'live.track takes a JPEG frame (base64); this is not one.');
    const session = this.session(params.session);
    const run = session.busy.then(async () => {
      const tracker = await session.tracker;
      // in the session's order, so a reset never lands in the middle of an earlier frame's tracking
      if (params.reset) tracker.reset();
      let img: RgbImage;
      if (raw) img = raw;
      else {
        const { decodeImage } = await import('../tracking/image');
        try {
          img = decodeImage(bytes!);
        } catch (err) {
          throw new StudioError('BAD_REQUEST', `The frame could not be decoded: ${(err as Error).message}.`);
        }
      }
      const decodeMs = performance.now() - t0;
      const frame = await tracker.track(img, session.index++, params.time / 1000);
      const landmarks = frame.landmarks ? Array.from(frame.landmarks, (v) => Math.round(v * 100) / 100) : null;
      return {
        tracked: frame.tracked,
        reason: frame.reason ?? null,
        width: img.width,
        height: img.height,
        confidence: frame.confidence,
        landmarks,
        pose: frame.pose ?? null,
        redetected: frame.warnings.includes('redetected'),
        decodeMs,
        trackMs: frame.ms,
        hostMs: performance.now() - t0,
      } satisfies LiveTrackResult;
    });
    session.busy = run.catch(() => undefined);
    return run;
  }

  async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    await s.busy;
    await (await s.tracker.catch(() => null))?.dispose();
  }

  async dispose(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private session(id: string): Session {
    let s = this.sessions.get(id);
    if (!s) {
      if (this.sessions.size >= MAX_SESSIONS) {
        const oldest = [...this.sessions.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]!;
        void this.close(oldest[0]);
      }
      const tracker = this.createTracker();
      s = { tracker, lastUsed: Date.now(), busy: tracker.catch(() => undefined), index: 0 };
      this.sessions.set(id, s);
      // A failed load (models not built) is reported to this call and forgotten, so the next call tries again.
      tracker.catch(() => this.sessions.delete(id));
    }
    s.lastUsed = Date.now();
    return s;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (now - s.lastUsed > IDLE_MS) void this.close(id);
  }
}

/** A raw RGB frame (`rgb` + width + height) as an image, its size checked; null for a JPEG frame. */
function rawFrame(params: LiveTrackParams): RgbImage | null {
  if (params.rgb === undefined) return null;
  const { width, height } = params;
  if (!width || !height) throw new StudioError('BAD_REQUEST', 'A raw rgb frame needs its width and height.');
  const data = Buffer.from(params.rgb, 'base64');
  if (data.length !== width * height * 3)
    throw new StudioError('BAD_REQUEST', `The raw frame has ${data.length} bytes; ${width}×${height} RGB needs ${width * height * 3}.`);
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length), channels: 3 };
}

async function defaultTracker(): Promise<Tracker> {
  const { Tracker } = await import('../tracking/tracker');
  const { ModelsMissingError } = await import('../tracking/models');
  try {
    // No person mask: live driving needs landmarks only. Iris on: the eyes drive the avatar's gaze.
    return await Tracker.create({ mask: false, iris: true, fps: 30 });
  } catch (err) {
    if (err instanceof ModelsMissingError) throw new StudioError('NOT_FOUND', `Live tracking needs the face models: ${err.message}.`);
    throw err;
  }
}

/**
 * `live.model`: one tracking model's bytes for the page's own tracker (the in-page path: the same converted ONNX the
 * host runs, on onnxruntime-web). NOT_FOUND with the build hint when the models are not built.
 */
export async function liveModel(name: LiveModelName): Promise<LiveModelResult> {
  const { defaultModelsDir } = await import('../tracking/models');
  const file = path.join(defaultModelsDir(), `${name}.onnx`);
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch {
    throw new StudioError('NOT_FOUND', `The face model ${name}.onnx is not built (${file}): run \`npm run models:build\`.`);
  }
  return { name, bytes: bytes.length, onnx: bytes.toString('base64') };
}

const byHost = new WeakMap<object, LiveTracking>();

/** The host's live tracking sessions (one set per services host). */
export function liveTrackingFor(host: object): LiveTracking {
  let live = byHost.get(host);
  if (!live) {
    live = new LiveTracking();
    byHost.set(host, live);
  }
  return live;
}
