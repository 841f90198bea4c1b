import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Capture, Frame } from '@shared/model/capture';
import type { CaptureFrames } from '../../store/captures';
import { studio } from '../../store/studio';
import { OverlayToggles, TrackingFrameInfo } from '../tracking/TrackingPanel';
import { TrackingOverlayLayer } from '../tracking/TrackingOverlayLayer';
import { EXPOSURE_TEXT, exposureLevel, relativeSharpness, SHARPNESS_TEXT, sharpnessLevel } from './quality';
import { SPLIT_CODES, SPLIT_LABEL } from './splits';
import { timecode, useTimeline } from './timelineStore';
import { activePreviewView, clampZoom, FIT, panBy, setActivePreviewView, wheelFactor, zoomAt, zoomStep, type PreviewZoom } from './previewZoom';

/**
 * One view's frame, large. The thumbnail shows at once (it is cached from the strip) and the full frame replaces
 * it when it has loaded, so scrubbing and playback never show an empty box.
 *
 * Zoom, to inspect a small face's fit: the wheel zooms at the pointer, + / − / 0 zoom in, out and back to the fit
 * while the pointer is over the view (or it has the focus; elsewhere those keys zoom the timeline), a drag pans while
 * zoomed, a double-click toggles ×4 at the pointer and the fit. The image, the thumbnail and the tracking overlay
 * are one transformed layer, so the mesh stays on the pixels it names; the zoom is kept while the playhead moves.
 */
function ViewImage({ projectId, frame, label, overlay }: { projectId: string; frame: Frame | undefined; label: string; overlay?: (zoom: number) => ReactNode }) {
  const full = frame ? studio().assetUrl(projectId, frame.file) : null;
  const thumb = frame ? studio().assetUrl(projectId, frame.thumb) : null;
  const [loaded, setLoaded] = useState<string | null>(null);
  useEffect(() => {
    if (!full) return;
    let live = true;
    const img = new Image();
    img.decoding = 'async';
    img.onload = () => live && setLoaded(full);
    img.src = full;
    return () => {
      live = false;
    };
  }, [full]);

  const boxRef = useRef<HTMLElement>(null);
  const hasFrame = frame !== undefined;
  const [zoom, setZoom] = useState<PreviewZoom>(FIT);
  const [boxWidth, setBoxWidth] = useState(0);
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      setBoxWidth(el.clientWidth);
      // A resized view keeps its zoom, clamped to the new box.
      setZoom((z) => clampZoom(z, el.clientWidth, el.clientHeight));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const zoomRef = useRef(zoom);
  zoomRef.current = zoom;
  const size = () => ({ w: boxRef.current?.clientWidth ?? 0, h: boxRef.current?.clientHeight ?? 0 });
  const zoomKeys = useCallback((detail: 'in' | 'out' | 'fit') => {
    const { w, h } = size();
    setZoom((z) => zoomStep(z, detail, w, h));
  }, []);
  // The frame's size changes with another capture: back to the fit.
  useEffect(() => setZoom(FIT), [frame?.width, frame?.height]);
  useEffect(() => () => {
    if (activePreviewView() === zoomKeys) setActivePreviewView(null);
  }, [zoomKeys]);

  // The wheel zooms at the pointer (a non-passive listener: the page must not scroll meanwhile).
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (e.deltaY === 0) return;
      e.preventDefault();
      const r = el.getBoundingClientRect();
      setZoom((z) => zoomAt(z, wheelFactor(e.deltaY, e.deltaMode), e.clientX - r.left, e.clientY - r.top, el.clientWidth, el.clientHeight));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [hasFrame]);

  // Drag to pan once zoomed; a click that ended a drag does not reach the face boxes under it.
  const drag = useRef<{ id: number; x: number; y: number; from: PreviewZoom; moved: boolean } | null>(null);
  const swallowClick = useRef(false);
  const [panning, setPanning] = useState(false);
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0 || zoomRef.current.scale <= 1) return;
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, from: zoomRef.current, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x, dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 3) return;
    if (!d.moved) {
      d.moved = true;
      setPanning(true);
      boxRef.current?.setPointerCapture(e.pointerId);
    }
    const { w, h } = size();
    setZoom(panBy(d.from, dx, dy, w, h));
  };
  const endDrag = (e: React.PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    drag.current = null;
    if (d.moved) {
      swallowClick.current = true;
      setTimeout(() => (swallowClick.current = false), 0);
    }
    setPanning(false);
  };

  const aspect = frame && frame.height > 0 ? `${frame.width} / ${frame.height}` : '16 / 9';
  const zoomed = zoom.scale > 1;
  // Screen pixels per frame pixel; past 2 the pixels show as squares, as an inspector should.
  const pixel = frame && boxWidth > 0 ? (boxWidth / frame.width) * zoom.scale : 1;
  const pixelated = pixel * (window.devicePixelRatio || 1) > 2;
  return (
    <figure
      ref={boxRef}
      className={`preview-view${zoomed ? ' is-zoomed' : ''}${panning ? ' is-panning' : ''}`}
      style={{ aspectRatio: aspect }}
      tabIndex={frame ? 0 : undefined}
      aria-label={frame ? `${label}. Scroll or + / − to zoom, 0 to fit${zoomed ? ', drag to pan' : ''}.` : undefined}
      title={frame ? (zoomed ? 'Drag to pan · scroll or + / − to zoom · 0 or double-click to fit' : 'Scroll or + / − to zoom in on the frame') : undefined}
      data-testid="preview-view"
      data-zoom={zoom.scale.toFixed(3)}
      onPointerEnter={() => setActivePreviewView(zoomKeys)}
      onPointerLeave={() => {
        if (activePreviewView() === zoomKeys && document.activeElement !== boxRef.current) setActivePreviewView(null);
      }}
      onFocus={() => setActivePreviewView(zoomKeys)}
      onBlur={() => {
        if (activePreviewView() === zoomKeys && !boxRef.current?.matches(':hover')) setActivePreviewView(null);
      }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      onClickCapture={(e) => {
        if (swallowClick.current) {
          e.stopPropagation();
          e.preventDefault();
        }
      }}
      onDoubleClick={(e) => {
        if ((e.target as Element).closest('.tracking-face')) return;
        const r = e.currentTarget.getBoundingClientRect();
        const { w: bw, h: bh } = size();
        setZoom((z) => (z.scale > 1 ? FIT : zoomAt(FIT, 4, e.clientX - r.left, e.clientY - r.top, bw, bh)));
      }}
    >
      <div className="preview-zoom" style={zoomed ? { transform: `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})` } : undefined}>
        {thumb && <img className="preview-thumb" src={thumb} alt="" draggable={false} />}
        {loaded && <img className={`preview-full${pixelated ? ' is-pixelated' : ''}`} src={loaded} alt={label} draggable={false} />}
        {frame && overlay?.(zoom.scale)}
      </div>
      {!frame && <span className="muted">No frame</span>}
      {zoomed && (
        <span className="preview-zoom-badge" data-testid="preview-zoom" aria-live="polite">
          {Math.round(pixel * 100)}%
          <button type="button" className="preview-zoom-fit" title="Fit the frame (0)" onPointerDown={(e) => e.stopPropagation()} onClick={() => setZoom(FIT)}>
            Fit
          </button>
        </span>
      )}
    </figure>
  );
}

export function FramePreview({ capture, data }: { capture: Capture; data: CaptureFrames }) {
  const current = useTimeline((s) => s.current);
  const rate = useTimeline((s) => s.rate);
  const cams = capture.cameras.length ? capture.cameras : [{ id: Object.keys(data.byCamera)[0] ?? '', name: 'Frames' }];
  const first = data.byCamera[cams[0].id]?.[current];
  const split = SPLIT_CODES[data.splits[current]] ?? 'train';
  const rel = relativeSharpness(first, data.medianSharpness);
  const sLevel = sharpnessLevel(rel);
  const eLevel = exposureLevel(first);
  const frameCount = data.splits.length;

  return (
    <div className="preview">
      <div className={`preview-views${cams.length > 1 ? ' is-multi' : ''}`} style={{ '--views': Math.min(cams.length, 3) } as React.CSSProperties}>
        {cams.map((c) => (
          <div key={c.id} className="preview-cell">
            <ViewImage
              projectId={capture.projectId}
              frame={data.byCamera[c.id]?.[current]}
              label={`${c.name}, frame ${current}`}
              overlay={(zoom) => <TrackingOverlayLayer capture={capture} cameraId={c.id} idx={current} width={data.byCamera[c.id]?.[current]?.width ?? 0} height={data.byCamera[c.id]?.[current]?.height ?? 0} zoom={zoom} />}
            />
            {cams.length > 1 && <span className="preview-camera">{c.name}</span>}
          </div>
        ))}
        <OverlayToggles captureId={capture.id} />
      </div>
      <dl className="preview-info" aria-label="Current frame">
        <div className="preview-info-main">
          <dt className="visually-hidden">Frame</dt>
          <dd className="preview-frame" data-testid="current-frame">
            Frame <strong>{current}</strong> <span className="muted">/ {Math.max(0, frameCount - 1)}</span>
          </dd>
          <dt className="visually-hidden">Time code</dt>
          <dd className="mono preview-timecode">{timecode(current, capture.fps)}</dd>
          {rate !== 0 && <dd className="preview-rate">{rate > 0 ? '▶' : '◀'} {Math.abs(rate)}×</dd>}
        </div>
        <div>
          <dt>Split</dt>
          <dd>
            <span className={`split-chip split-${split}`} data-testid="current-split">
              {SPLIT_LABEL[split]}
            </span>
          </dd>
        </div>
        <div>
          <dt>Sharpness</dt>
          <dd className={`quality-${sLevel}`} title={first?.sharpness !== null && first?.sharpness !== undefined ? `Variance of the Laplacian: ${first.sharpness.toFixed(1)}` : undefined}>
            {SHARPNESS_TEXT[sLevel]}
            {rel !== null && <span className="muted"> · {rel.toFixed(2)}× median</span>}
          </dd>
        </div>
        <TrackingFrameInfo captureId={capture.id} cameraId={cams[0].id} idx={current} />
        <div>
          <dt>Exposure</dt>
          <dd className={`quality-${eLevel}`}>
            {EXPOSURE_TEXT[eLevel]}
            {first?.exposure !== null && first?.exposure !== undefined && <span className="muted"> · {Math.round(first.exposure * 100)}%</span>}
            {first?.clipped ? <span className="muted"> · {(first.clipped * 100).toFixed(1)}% clipped</span> : null}
          </dd>
        </div>
      </dl>
    </div>
  );
}
