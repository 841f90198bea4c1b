import { create } from 'zustand';
import type { FrameRange } from '@shared/model/capture';

/**
 * Review state of the capture on screen: playhead, selection, zoom and playback. Not persisted in the library
 * (the split is); the playhead and zoom are remembered per capture for this window session.
 */
interface TimelineState {
  captureId: string | null;
  frameCount: number;
  current: number;
  /** Where a shift-click or a drag selection starts. */
  anchor: number | null;
  selection: FrameRange | null;
  /** Pixels per frame; null until the strip knows its width (then it fits the capture). */
  ppf: number | null;
  /** Playback rate in frames per frame-period: 1 forward, -1 reverse, 2/4/8 faster (J/K/L). 0 paused. */
  rate: number;

  reset(captureId: string, frameCount: number): void;
  seek(frame: number, opts?: { keepPlaying?: boolean }): void;
  step(delta: number): void;
  select(range: FrameRange | null): void;
  setAnchor(frame: number | null): void;
  setPpf(ppf: number): void;
  setRate(rate: number): void;
}

const remembered = new Map<string, { current: number; ppf: number | null }>();

export const clampFrame = (f: number, count: number) => Math.max(0, Math.min(count - 1, Math.round(f)));

export const useTimeline = create<TimelineState>((set, get) => ({
  captureId: null,
  frameCount: 0,
  current: 0,
  anchor: null,
  selection: null,
  ppf: null,
  rate: 0,

  reset(captureId, frameCount) {
    const s = get();
    if (s.captureId) remembered.set(s.captureId, { current: s.current, ppf: s.ppf });
    if (s.captureId === captureId) {
      set({ frameCount, current: clampFrame(s.current, frameCount) });
      return;
    }
    const r = remembered.get(captureId);
    set({ captureId, frameCount, current: clampFrame(r?.current ?? 0, frameCount), ppf: r?.ppf ?? null, anchor: null, selection: null, rate: 0 });
  },
  seek(frame, opts = {}) {
    set((s) => ({ current: clampFrame(frame, s.frameCount), rate: opts.keepPlaying ? s.rate : 0 }));
  },
  step(delta) {
    set((s) => ({ current: clampFrame(s.current + delta, s.frameCount), rate: 0 }));
  },
  select(selection) {
    set({ selection });
  },
  setAnchor(anchor) {
    set({ anchor });
  },
  setPpf(ppf) {
    set({ ppf });
  },
  setRate(rate) {
    set({ rate });
  },
}));

/** Timecode HH:MM:SS:FF at the capture's rate (or seconds when it has none). */
export function timecode(frame: number, fps: number | null): string {
  if (!fps) return `#${frame}`;
  const rate = Math.round(fps);
  const totalSeconds = Math.floor(frame / fps);
  const ff = Math.floor(frame - totalSeconds * fps + 1e-6);
  const hh = Math.floor(totalSeconds / 3600);
  const mm = Math.floor((totalSeconds % 3600) / 60);
  const ss = totalSeconds % 60;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(hh)}:${p(mm)}:${p(ss)}:${p(Math.min(ff, rate - 1), String(rate - 1).length)}`;
}
