import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Capture, Frame } from '@shared/model/capture';
import type { CaptureFrames } from '../../store/captures';
import { studio } from '../../store/studio';
import { useResolvedTheme } from '../shell/useThemeClass';
import { useTracking } from '../../store/tracking';
import { drawTrackingRows, FACE_ROW_H, FIT_ROW_H } from '../tracking/strip';
import { BLUR_THRESHOLD, SOFT_THRESHOLD } from './quality';
import { clampFrame, useTimeline } from './timelineStore';

const RULER_H = 22;
const SPLIT_H = 8;
const SHARP_H = 28;
const EXPO_H = 12;
const GAP = 1;
/** Zoom steps multiply pixels per frame by this. */
export const ZOOM_STEP = 1.5;

interface Row {
  kind: 'ruler' | 'strip' | 'split' | 'sharpness' | 'exposure' | 'face' | 'fit';
  y: number;
  h: number;
  label: string;
  cameraId?: string;
}

function layoutRows(capture: Capture, stripH: number, tracked: boolean): { rows: Row[]; height: number } {
  const rows: Row[] = [];
  let y = 0;
  const add = (r: Omit<Row, 'y'>) => {
    rows.push({ ...r, y });
    y += r.h + GAP;
  };
  add({ kind: 'ruler', h: RULER_H, label: 'Frame' });
  const cams = capture.cameras.length ? capture.cameras : [{ id: '', name: 'Frames' }];
  for (const c of cams) add({ kind: 'strip', h: stripH, label: cams.length > 1 ? c.name : 'Frames', cameraId: c.id });
  add({ kind: 'split', h: SPLIT_H, label: 'Split' });
  add({ kind: 'sharpness', h: SHARP_H, label: 'Sharpness' });
  add({ kind: 'exposure', h: EXPO_H, label: 'Exposure' });
  if (tracked) {
    add({ kind: 'face', h: FACE_ROW_H, label: 'Face' });
    add({ kind: 'fit', h: FIT_ROW_H, label: 'Fit' });
  }
  return { rows, height: y - GAP };
}

/** A small LRU of decoded thumbnails around the view, so scrolling back and forth does not refetch or flash. */
const thumbCache = new Map<string, HTMLImageElement>();
const THUMB_CACHE_MAX = 800;
function prefetch(url: string): void {
  const hit = thumbCache.get(url);
  if (hit) {
    thumbCache.delete(url);
    thumbCache.set(url, hit);
    return;
  }
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  thumbCache.set(url, img);
  if (thumbCache.size > THUMB_CACHE_MAX) thumbCache.delete(thumbCache.keys().next().value as string);
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

function niceStep(minFrames: number, fps: number | null): number {
  const base = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];
  const r = fps ? Math.round(fps) : 0;
  const withFps = r > 1 ? [1, 2, 5, 10, r, r * 2, r * 5, r * 10, r * 30, r * 60, r * 120, r * 300, r * 600] : base;
  return withFps.find((s) => s >= minFrames) ?? base.find((s) => s >= minFrames) ?? 100000;
}

/**
 * The timeline: a frame ruler, one virtualised filmstrip per camera, the split band and the quality strip
 * (sharpness bars, exposure), with the playhead and the selection. Only the visible thumbnails are in the DOM;
 * everything else is drawn on one canvas for the visible range, so 10,000 frames scroll as smoothly as 100.
 */
export function Timeline({ capture, data, tall }: { capture: Capture; data: CaptureFrames; tall?: boolean }) {
  const viewportRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [width, setWidth] = useState(0);
  // The canvas is drawn with the theme's colours: redrawn when the theme shown changes (a choice or the system's).
  const theme = useResolvedTheme();

  const frameCount = data.splits.length;
  const current = useTimeline((s) => s.current);
  const selection = useTimeline((s) => s.selection);
  const storedPpf = useTimeline((s) => s.ppf);
  const rate = useTimeline((s) => s.rate);

  const multi = capture.cameras.length > 1;
  const stripH = multi ? 44 : tall ? 64 : 56;
  const aspect = capture.width > 0 && capture.height > 0 ? capture.width / capture.height : 16 / 9;
  const tileW = Math.max(24, Math.round(stripH * aspect));
  const tracking = useTracking((s) => s.byCapture[capture.id]);
  const tracked = Boolean(tracking?.summary);
  const { rows, height } = useMemo(() => layoutRows(capture, stripH, tracked), [capture, stripH, tracked]);

  const fitPpf = width > 0 && frameCount > 0 ? width / frameCount : 1;
  const maxPpf = tileW;
  const minPpf = Math.min(fitPpf, maxPpf);
  const ppf = Math.min(maxPpf, Math.max(minPpf, storedPpf ?? minPpf));
  const contentW = Math.max(width, frameCount * ppf);

  // Zoom keeping a frame under a screen x: the scroll is applied once the new width has rendered.
  const pendingScroll = useRef<number | null>(null);
  const zoomTo = useCallback(
    (nextPpf: number, anchorScreenX?: number) => {
      const clamped = Math.min(maxPpf, Math.max(minPpf, nextPpf));
      const el = scrollRef.current;
      if (!el) return;
      const t = useTimeline.getState();
      const ax = anchorScreenX ?? Math.min(width, Math.max(0, (t.current + 0.5) * ppf - el.scrollLeft));
      const frameAt = (el.scrollLeft + ax) / ppf;
      pendingScroll.current = Math.max(0, frameAt * clamped - ax);
      t.setPpf(clamped);
    },
    [maxPpf, minPpf, ppf, width],
  );
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && pendingScroll.current !== null) {
      el.scrollLeft = pendingScroll.current;
      pendingScroll.current = null;
      setScrollLeft(el.scrollLeft);
    }
  }, [ppf]);

  // Zoom commands from the keyboard and toolbar arrive as window events.
  useEffect(() => {
    const onZoom = (e: Event) => {
      const d = (e as CustomEvent<'in' | 'out' | 'fit'>).detail;
      if (d === 'fit') zoomTo(minPpf, 0);
      else zoomTo(ppf * (d === 'in' ? ZOOM_STEP : 1 / ZOOM_STEP));
    };
    window.addEventListener('footage-zoom', onZoom);
    return () => window.removeEventListener('footage-zoom', onZoom);
  }, [zoomTo, ppf, minPpf]);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  // Ctrl/⌘+wheel zooms around the pointer; a plain vertical wheel scrolls the strip sideways.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const x = e.clientX - el.getBoundingClientRect().left;
        zoomTo(ppf * Math.pow(ZOOM_STEP, -e.deltaY / 100), x);
      } else if (Math.abs(e.deltaY) > Math.abs(e.deltaX)) {
        e.preventDefault();
        el.scrollLeft += e.deltaY;
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomTo, ppf]);

  const rafScroll = useRef(0);
  const onScroll = () => {
    if (rafScroll.current) return;
    rafScroll.current = requestAnimationFrame(() => {
      rafScroll.current = 0;
      if (scrollRef.current) setScrollLeft(scrollRef.current.scrollLeft);
    });
  };

  // Keep the playhead in view when it moves by keys or playback (not while the user drags it).
  const dragging = useRef<null | 'scrub' | 'select'>(null);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || dragging.current || width === 0) return;
    const x = (current + 0.5) * ppf;
    if (x < el.scrollLeft || x > el.scrollLeft + width) {
      el.scrollLeft = rate > 0 ? x - width * 0.1 : rate < 0 ? x - width * 0.9 : x - width / 2;
      setScrollLeft(el.scrollLeft);
    }
  }, [current, ppf, width, rate]);

  // Visible tiles of each filmstrip.
  const framesPerTile = Math.max(1, Math.ceil(tileW / ppf));
  const tilePx = framesPerTile * ppf;
  const tileCount = Math.ceil(frameCount / framesPerTile);
  const firstTile = Math.max(0, Math.floor(scrollLeft / tilePx) - 1);
  const lastTile = Math.min(tileCount - 1, Math.ceil((scrollLeft + width) / tilePx) + 1);

  const thumbUrl = useCallback((f: Frame | undefined) => (f ? studio().assetUrl(capture.projectId, f.thumb) : null), [capture.projectId]);
  const frameOf = (list: Frame[] | undefined, idx: number): Frame | undefined => {
    if (!list) return undefined;
    const f = list[idx];
    return f && f.idx === idx ? f : list.find((x) => x.idx === idx);
  };

  // Prefetch a screen either side once scrolling settles.
  useEffect(() => {
    if (width === 0) return;
    const t = setTimeout(() => {
      const span = lastTile - firstTile + 1;
      for (const cam of capture.cameras) {
        const list = data.byCamera[cam.id];
        for (let i = Math.max(0, firstTile - span); i <= Math.min(tileCount - 1, lastTile + span); i++) {
          const url = thumbUrl(frameOf(list, i * framesPerTile));
          if (url) prefetch(url);
        }
      }
    }, 150);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstTile, lastTile, framesPerTile, data.byCamera, capture.cameras, width]);

  // The canvas: ruler, split tints, selection, quality rows — for the visible range only.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(document.documentElement);
    const c = {
      danger: cssVar(style, '--danger', '#ff6b6b'),
      warning: cssVar(style, '--warning', '#f2b84b'),
      success: cssVar(style, '--success', '#4fcf8f'),
      accent: cssVar(style, '--accent', '#6e8bff'),
      text: cssVar(style, '--text', '#e6e7ea'),
      muted: cssVar(style, '--text-muted', '#9a9ca5'),
      faint: cssVar(style, '--text-faint', '#6d7079'),
      border: cssVar(style, '--border', '#2e3036'),
      sunken: cssVar(style, '--bg-sunken', '#111214'),
      raised: cssVar(style, '--bg-raised', '#1e1f23'),
    };
    const row = (k: Row['kind']) => rows.find((r) => r.kind === k)!;
    const ruler = row('ruler');
    const split = row('split');
    const sharp = row('sharpness');
    const expo = row('exposure');
    const strips = rows.filter((r) => r.kind === 'strip');
    const stripTop = strips[0].y;
    const stripBottom = strips[strips.length - 1].y + strips[strips.length - 1].h;

    // Backgrounds of the drawn rows.
    ctx.fillStyle = c.raised;
    ctx.fillRect(0, ruler.y, width, ruler.h);
    ctx.fillStyle = c.sunken;
    for (const r of [split, sharp, expo]) ctx.fillRect(0, r.y, width, r.h);

    const f0 = Math.max(0, Math.floor(scrollLeft / ppf));
    const f1 = Math.min(frameCount - 1, Math.ceil((scrollLeft + width) / ppf));
    const xOf = (f: number) => f * ppf - scrollLeft;
    const splits = data.splits;
    const first = data.byCamera[capture.cameras[0]?.id ?? ''] ?? Object.values(data.byCamera)[0] ?? [];
    const median = data.medianSharpness;

    // Walk the visible range in columns: one frame per column when zoomed in, several per pixel when zoomed out.
    const perCol = ppf >= 1 ? 1 : Math.ceil(1 / ppf);
    const hatch = (x: number, w: number, y: number, h: number) => {
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, y, w, h);
      ctx.clip();
      ctx.strokeStyle = c.danger;
      ctx.globalAlpha = 0.55;
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      const start = Math.floor((x + scrollLeft - h) / 8) * 8 - scrollLeft;
      for (let hx = start; hx < x + w + h; hx += 8) {
        ctx.moveTo(hx, y + h);
        ctx.lineTo(hx + h, y);
      }
      ctx.stroke();
      ctx.restore();
    };

    // Split: tints over the filmstrips (merged runs) and the split band.
    let run = f0;
    while (run <= f1) {
      let end = run;
      const code = splits[run];
      while (end + 1 <= f1 && splits[end + 1] === code) end++;
      const x = xOf(run);
      const w = Math.max(1, (end - run + 1) * ppf);
      if (code === 1) {
        ctx.fillStyle = c.warning;
        ctx.globalAlpha = 0.3;
        ctx.fillRect(x, stripTop, w, stripBottom - stripTop);
        ctx.globalAlpha = 1;
        for (const s of strips) ctx.fillRect(x, s.y, w, 3);
        ctx.fillRect(x, split.y, w, split.h);
      } else if (code === 2) {
        ctx.fillStyle = c.danger;
        ctx.globalAlpha = 0.3;
        ctx.fillRect(x, stripTop, w, stripBottom - stripTop);
        ctx.globalAlpha = 1;
        hatch(x, w, stripTop, stripBottom - stripTop);
        ctx.fillStyle = c.danger;
        for (const s of strips) ctx.fillRect(x, s.y, w, 3);
        ctx.fillRect(x, split.y, w, split.h);
      } else {
        ctx.fillStyle = c.success;
        ctx.globalAlpha = 0.35;
        ctx.fillRect(x, split.y + 2, w, split.h - 4);
        ctx.globalAlpha = 1;
      }
      run = end + 1;
    }

    // Sharpness bars and exposure, per column.
    for (let f = f0 - (f0 % perCol); f <= f1; f += perCol) {
      let minRel: number | null = null;
      let expSum = 0;
      let expN = 0;
      let clipMax = 0;
      for (let k = f; k < Math.min(frameCount, f + perCol); k++) {
        const fr = first[k];
        if (!fr) continue;
        if (fr.sharpness !== null && median) {
          const rel = fr.sharpness / median;
          minRel = minRel === null ? rel : Math.min(minRel, rel);
        }
        if (fr.exposure !== null) {
          expSum += fr.exposure;
          expN++;
        }
        clipMax = Math.max(clipMax, fr.clipped ?? 0);
      }
      const x = xOf(f);
      const w = Math.max(1, perCol * ppf - (ppf >= 4 ? 1 : 0));
      if (minRel !== null) {
        const hBar = Math.max(2, Math.min(1, minRel / 1.6) * (sharp.h - 3));
        ctx.fillStyle = minRel < BLUR_THRESHOLD ? c.danger : minRel < SOFT_THRESHOLD ? c.warning : c.success;
        ctx.globalAlpha = minRel < BLUR_THRESHOLD ? 1 : 0.8;
        ctx.fillRect(x, sharp.y + sharp.h - hBar, w, hBar);
        ctx.globalAlpha = 1;
      }
      if (expN > 0) {
        const e = expSum / expN;
        const l = Math.round(8 + e * 84);
        ctx.fillStyle = `hsl(220 6% ${l}%)`;
        ctx.fillRect(x, expo.y, w, expo.h);
        if (clipMax > 0.05 || e > 0.85) {
          ctx.fillStyle = c.danger;
          ctx.fillRect(x, expo.y, w, 3);
        } else if (e < 0.15) {
          ctx.fillStyle = c.accent;
          ctx.fillRect(x, expo.y, w, 3);
        }
      }
    }
    // The blur threshold line.
    ctx.strokeStyle = c.danger;
    ctx.globalAlpha = 0.5;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    const thY = sharp.y + sharp.h - Math.min(1, BLUR_THRESHOLD / 1.6) * (sharp.h - 3) + 0.5;
    ctx.moveTo(0, thY);
    ctx.lineTo(width, thY);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;

    // Tracking: the Face and Fit rows.
    const faceRow = rows.find((r) => r.kind === 'face');
    const fitRow = rows.find((r) => r.kind === 'fit');
    if (tracking?.summary && faceRow && fitRow) drawTrackingRows(ctx, tracking, faceRow, fitRow, { f0, f1, perCol, ppf, width, frameCount, xOf }, c);

    // Ruler ticks and labels.
    const minor = niceStep(8 / ppf, null);
    const major = niceStep(90 / ppf, capture.fps);
    ctx.fillStyle = c.faint;
    for (let f = Math.floor(f0 / minor) * minor; f <= f1 + minor; f += minor) {
      const x = Math.round(xOf(f) + (ppf >= 4 ? ppf / 2 : 0)) + 0.5;
      if (f % major === 0) continue;
      ctx.fillRect(x, ruler.y + ruler.h - 5, 1, 5);
    }
    ctx.fillStyle = c.muted;
    ctx.font = '10.5px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    for (let f = Math.floor(f0 / major) * major; f <= f1 + major; f += major) {
      if (f >= frameCount) break;
      const x = Math.round(xOf(f) + (ppf >= 4 ? ppf / 2 : 0)) + 0.5;
      ctx.fillRect(x, ruler.y + ruler.h - 10, 1, 10);
      ctx.fillText(String(f), x + 3, ruler.y + 3);
    }
    ctx.fillStyle = c.border;
    ctx.fillRect(0, ruler.y + ruler.h, width, 1);

    // Selection over everything below the ruler.
    if (selection) {
      const x = xOf(selection.from);
      const w = Math.max(2, (selection.to - selection.from + 1) * ppf);
      ctx.fillStyle = c.accent;
      ctx.globalAlpha = 0.2;
      ctx.fillRect(x, ruler.y + ruler.h + 1, w, height - ruler.h - 1);
      ctx.globalAlpha = 1;
      ctx.fillRect(x, ruler.y + ruler.h - 4, w, 4);
      ctx.strokeStyle = c.accent;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x + 0.75, ruler.y + ruler.h + 1.75, w - 1.5, height - ruler.h - 3.5);
    }
  }, [width, height, scrollLeft, ppf, frameCount, data, rows, selection, capture.cameras, capture.fps, theme, tracking]);

  // Pointer: the ruler (and the playhead) scrub; the strips click to seek, shift-click or drag to select.
  const frameAtClientX = (clientX: number) => {
    const el = scrollRef.current!;
    const x = clientX - el.getBoundingClientRect().left + el.scrollLeft;
    return clampFrame(Math.floor(x / ppf), frameCount);
  };
  const downX = useRef(0);
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0 || frameCount === 0) return;
    const el = scrollRef.current!;
    const rect = el.getBoundingClientRect();
    if (e.clientY - rect.top > height) return; // the scrollbar
    e.preventDefault();
    el.focus({ preventScroll: true });
    const f = frameAtClientX(e.clientX);
    const t = useTimeline.getState();
    const onRuler = e.clientY - rect.top < RULER_H || (e.target as HTMLElement).closest('.playhead');
    if (onRuler) {
      dragging.current = 'scrub';
      t.seek(f);
    } else {
      dragging.current = 'select';
      downX.current = e.clientX;
      if (e.shiftKey) {
        const a = t.anchor ?? t.current;
        t.select({ from: Math.min(a, f), to: Math.max(a, f) });
        t.setAnchor(a);
      } else {
        t.setAnchor(f);
        t.select(null);
      }
      t.seek(f);
    }
    el.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: React.PointerEvent) => {
    if (!dragging.current) return;
    const el = scrollRef.current!;
    const rect = el.getBoundingClientRect();
    // Dragging past an edge scrolls.
    if (e.clientX < rect.left + 16) el.scrollLeft -= 24;
    else if (e.clientX > rect.right - 16) el.scrollLeft += 24;
    const f = frameAtClientX(e.clientX);
    const t = useTimeline.getState();
    if (dragging.current === 'scrub') t.seek(f);
    else if (Math.abs(e.clientX - downX.current) > 3 || t.selection) {
      const a = t.anchor ?? t.current;
      t.select({ from: Math.min(a, f), to: Math.max(a, f) });
      t.seek(f);
    }
  };
  const endDrag = (e: React.PointerEvent) => {
    dragging.current = null;
    if (scrollRef.current?.hasPointerCapture(e.pointerId)) scrollRef.current.releasePointerCapture(e.pointerId);
  };

  const playheadX = (current + 0.5) * ppf - scrollLeft;
  // The handle (14 px) is centred on the playhead but kept inside the timeline at the first and last frames.
  const HANDLE_W = 14;
  const handleLeft = Math.min(Math.max(-HANDLE_W / 2, -playheadX), width - playheadX - HANDLE_W);
  const strips = rows.filter((r) => r.kind === 'strip');

  return (
    <div className="timeline" style={{ '--timeline-h': `${height}px` } as React.CSSProperties}>
      <div className="timeline-labels" aria-hidden="true">
        {rows.map((r) => (
          <div key={`${r.kind}:${r.cameraId ?? ''}`} className={`timeline-label timeline-label-${r.kind}`} style={{ top: r.y, height: r.h }} title={r.label} data-row={r.kind}>
            {r.kind === 'ruler' ? '' : r.label}
          </div>
        ))}
      </div>
      <div className="timeline-viewport" ref={viewportRef}>
        <div
          ref={scrollRef}
          className="timeline-scroll"
          role="slider"
          tabIndex={0}
          aria-label="Timeline"
          aria-valuemin={0}
          aria-valuemax={Math.max(0, frameCount - 1)}
          aria-valuenow={current}
          aria-valuetext={`Frame ${current}`}
          onScroll={onScroll}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
          data-ppf={ppf.toFixed(4)}
        >
          <div className="timeline-content" style={{ width: contentW, height }}>
            {strips.map((r) => {
              const list = data.byCamera[r.cameraId ?? ''] ?? (strips.length === 1 ? Object.values(data.byCamera)[0] : undefined);
              const tiles = [];
              for (let i = firstTile; i <= lastTile; i++) {
                const idx = i * framesPerTile;
                const f = frameOf(list, idx);
                const url = thumbUrl(f);
                const w = Math.min(tilePx, (frameCount - idx) * ppf);
                tiles.push(
                  <div key={idx} className="filmstrip-tile" style={{ left: i * tilePx, width: w, height: r.h }}>
                    {url && <img src={url} alt="" draggable={false} decoding="async" style={{ width: Math.max(tileW, w), height: r.h }} />}
                  </div>,
                );
              }
              return (
                <div key={r.cameraId ?? 'strip'} className="filmstrip" style={{ top: r.y, height: r.h }} data-camera={r.cameraId}>
                  {tiles}
                </div>
              );
            })}
          </div>
        </div>
        <canvas ref={canvasRef} className="timeline-canvas" style={{ width, height }} />
        {playheadX >= 0 && playheadX <= width && (
          <div className="playhead" style={{ transform: `translateX(${playheadX}px)`, height }} aria-hidden="true">
            <div
              className="playhead-handle"
              style={{ left: handleLeft, width: HANDLE_W }}
              onPointerDown={(e) => {
                // Scrubbing from the handle: hand the pointer to the strip's scrub logic.
                e.stopPropagation();
                e.preventDefault();
                dragging.current = 'scrub';
                scrollRef.current?.setPointerCapture(e.pointerId);
              }}
            />
            {ppf >= 3 && <div className="playhead-frame" style={{ width: ppf, left: -ppf / 2 }} />}
          </div>
        )}
      </div>
    </div>
  );
}
