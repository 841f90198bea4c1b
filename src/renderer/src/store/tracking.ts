import { create } from 'zustand';
import type { StudioErrorShape } from '@shared/api/errors';
import type { Capture } from '@shared/model/capture';
import type { Job } from '@shared/model/job';
import type { TrackedFrame, TrackingOverlay, TrackingSummary } from '@shared/model/tracking';
import { errorMessage, toErrorShape } from '../lib/errors';
import { useJobs } from './jobs';
import { studio } from './studio';
import { toast } from './toasts';

/** Per-frame codes of the Face row (one byte per frame index, all views combined). */
export const FACE_CODE = {
  none: 0,
  tracked: 1,
  /** Tracked, with a warning (several faces, partial, profile, dark, redetected). */
  warned: 2,
  'no-face': 3,
  'low-confidence': 4,
  'too-dark': 5,
  'decode-failed': 6,
} as const;
export type FaceCode = (typeof FACE_CODE)[keyof typeof FACE_CODE];

/** Tracking results of one capture, with per-frame arrays the timeline draws from without walking objects. */
export interface CaptureTracking {
  summary: TrackingSummary | null;
  /** Tracked frames per camera id, indexed by frame index (sparse where a view has no row). */
  byCamera: Record<string, TrackedFrame[]>;
  /** One FACE_CODE per frame index: the worst of the views. */
  face: Uint8Array;
  /** Lowest mesh confidence of the views, 0..1 (NaN: no row). */
  confidence: Float32Array;
  /** Highest fit error of the views in pixels (NaN: not fitted). */
  fitError: Float32Array;
  loaded: boolean;
  error: StudioErrorShape | null;
}

export type OverlayEntry = { status: 'loading' } | { status: 'ready'; overlay: TrackingOverlay } | { status: 'error'; message: string };

interface TrackingState {
  byCapture: Record<string, CaptureTracking>;
  /** The tracking job this window started (or last saw) per capture id. */
  jobOf: Record<string, string>;
  /** Overlays fetched for the preview, keyed by `captureId|trackedAt|cameraId|idx` (a small LRU). */
  overlays: Record<string, OverlayEntry>;
  showMesh: boolean;
  showLandmarks: boolean;

  load(capture: Capture): Promise<void>;
  start(capture: Capture, pick?: { x: number; y: number }, options?: { photometricRefine?: boolean }): Promise<Job | null>;
  fetchOverlay(captureId: string, cameraId: string, idx: number): Promise<void>;
  setShowMesh(on: boolean): void;
  setShowLandmarks(on: boolean): void;
  forget(captureId: string): void;
}

/** Tracked frames per call: about 0.3–1 kB each as JSON, well under the socket's 8 MiB frame limit. */
const PAGE = 5000;
const OVERLAY_CACHE = 12;
const PREFS_KEY = 'avatar-studio.tracking-overlay';

function readPrefs(): { mesh: boolean; landmarks: boolean } {
  try {
    const v = JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as { mesh?: unknown; landmarks?: unknown };
    return { mesh: v.mesh === true, landmarks: v.landmarks === true };
  } catch {
    return { mesh: false, landmarks: false };
  }
}
function writePrefs(mesh: boolean, landmarks: boolean): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify({ mesh, landmarks }));
  } catch {
    // not essential
  }
}

export const overlayKey = (captureId: string, trackedAt: number, cameraId: string, idx: number) => `${captureId}|${trackedAt}|${cameraId}|${idx}`;

/** Builds the per-frame arrays of the strip from the tracked frames of every view. */
export function combineViews(byCamera: Record<string, TrackedFrame[]>, frameCount: number): Pick<CaptureTracking, 'face' | 'confidence' | 'fitError'> {
  const face = new Uint8Array(frameCount);
  const confidence = new Float32Array(frameCount).fill(NaN);
  const fitError = new Float32Array(frameCount).fill(NaN);
  for (const list of Object.values(byCamera)) {
    for (const f of list) {
      if (!f || f.idx < 0 || f.idx >= frameCount) continue;
      const code: number = f.tracked ? (f.warnings.length > 0 ? FACE_CODE.warned : FACE_CODE.tracked) : FACE_CODE[f.reason ?? 'no-face'];
      if (code > face[f.idx]) face[f.idx] = code;
      const c = f.tracked ? f.confidence : 0;
      if (Number.isNaN(confidence[f.idx]) || c < confidence[f.idx]) confidence[f.idx] = c;
      if (f.fitErrorPx !== null && (Number.isNaN(fitError[f.idx]) || f.fitErrorPx > fitError[f.idx])) fitError[f.idx] = f.fitErrorPx;
    }
  }
  return { face, confidence, fitError };
}

/** The tracking job of a capture: the one this window started, else the newest one for it. */
export function trackingJobFor(capture: Capture, jobs: Record<string, Job>, jobId: string | undefined): Job | null {
  if (jobId && jobs[jobId]) return jobs[jobId];
  let best: Job | null = null;
  for (const j of Object.values(jobs)) {
    if (j.kind !== 'capture.track' || j.captureId !== capture.id) continue;
    if (!best || j.createdAt > best.createdAt) best = j;
  }
  return best;
}

const meshTriangles = new Map<string, number[]>();

export const useTracking = create<TrackingState>((set, get) => {
  const seq: Record<string, number> = {};
  const prefs = readPrefs();
  return {
    byCapture: {},
    jobOf: {},
    overlays: {},
    showMesh: prefs.mesh,
    showLandmarks: prefs.landmarks,

    async load(capture) {
      const captureId = capture.id;
      meshTriangles.delete(captureId);
      const n = (seq[captureId] = (seq[captureId] ?? 0) + 1);
      try {
        const summary = await studio().client.call('tracking.summary', { captureId });
        const byCamera: Record<string, TrackedFrame[]> = {};
        if (summary) {
          const cameras = capture.cameras.length > 0 ? capture.cameras.map((c) => c.id) : [undefined];
          await Promise.all(
            cameras.map(async (cameraId) => {
              let offset = 0;
              let total = Infinity;
              while (offset < total) {
                const page = await studio().client.call('tracking.frames', { captureId, cameraId, offset, limit: PAGE });
                total = page.total;
                if (page.frames.length === 0) break;
                offset += page.frames.length;
                for (const f of page.frames) (byCamera[f.cameraId] ??= [])[f.idx] = f;
              }
            }),
          );
        }
        if (n !== seq[captureId]) return;
        const arrays = combineViews(byCamera, capture.frameCount);
        set((s) => ({ byCapture: { ...s.byCapture, [captureId]: { summary, byCamera, ...arrays, loaded: true, error: null } } }));
      } catch (e) {
        if (n !== seq[captureId]) return;
        set((s) => {
          const prev = s.byCapture[captureId];
          return {
            byCapture: {
              ...s.byCapture,
              [captureId]: prev
                ? { ...prev, loaded: true, error: toErrorShape(e) }
                : { summary: null, byCamera: {}, face: new Uint8Array(0), confidence: new Float32Array(0), fitError: new Float32Array(0), loaded: true, error: toErrorShape(e) },
            },
          };
        });
      }
    },

    async start(capture, pick, options) {
      try {
        const job = await studio().client.call('tracking.start', { captureId: capture.id, ...(pick ? { pick } : {}), ...(options?.photometricRefine ? { photometricRefine: true } : {}) });
        useJobs.getState().upsert(job);
        set((s) => ({ jobOf: { ...s.jobOf, [capture.id]: job.id } }));
        return job;
      } catch (e) {
        toast.error(errorMessage(e));
        return null;
      }
    },

    async fetchOverlay(captureId, cameraId, idx) {
      const t = get().byCapture[captureId]?.summary?.trackedAt;
      if (t === undefined) return;
      const key = overlayKey(captureId, t, cameraId, idx);
      const hit = get().overlays[key];
      if (hit && hit.status !== 'error') return;
      const put = (entry: OverlayEntry) =>
        set((s) => {
          const { [key]: _old, ...rest } = s.overlays;
          const keys = Object.keys(rest);
          // Oldest first (insertion order); keep the last few.
          for (const k of keys.slice(0, Math.max(0, keys.length - (OVERLAY_CACHE - 1)))) delete rest[k];
          return { overlays: { ...rest, [key]: entry } };
        });
      put({ status: 'loading' });
      try {
        // The mesh's triangles are the same for every frame of a tracking run: fetch them once per capture.
        const known = meshTriangles.get(captureId);
        const overlay = await studio().client.call('tracking.overlay', { captureId, cameraId, idx, triangles: !known });
        if (overlay.mesh?.triangles) meshTriangles.set(captureId, overlay.mesh.triangles);
        else if (overlay.mesh && known) overlay.mesh.triangles = known;
        put({ status: 'ready', overlay });
      } catch (e) {
        put({ status: 'error', message: errorMessage(e) });
      }
    },

    setShowMesh(on) {
      set({ showMesh: on });
      writePrefs(on, get().showLandmarks);
    },
    setShowLandmarks(on) {
      set({ showLandmarks: on });
      writePrefs(get().showMesh, on);
    },
    forget(captureId) {
      set((s) => {
        const { [captureId]: _gone, ...rest } = s.byCapture;
        return { byCapture: rest };
      });
    },
  };
});
