import { useCallback, useEffect, useRef, useState } from 'react';
import { stickerCornersUv, type StickerLayer, type StickerTransform } from '@shared/texture';
import { useTextureDocument } from './documentStore';
import { dragSticker, grabAt, rotateKnobUv, type StickerGrab } from './stickerHandles';
import { openHeadUvEdges } from './uvWireframe';
import { actualSize, fitView, screenToUv, uvToScreen, zoomAt, type View } from './viewTransform';

export interface CanvasOverlays {
  wireframe: boolean;
  visibility: boolean;
}

/** Imperative view commands for the toolbar (fit, 1:1). */
export interface CanvasViewApi {
  fit(): void;
  actual(): void;
}

/** Visibility map colours: unobserved (filled) texels amber, texels outside every footprint dark. */
function visibilityImage(vis: Uint8Array, size: number): ImageData {
  const img = new ImageData(size, size);
  for (let i = 0; i < vis.length; i++) {
    const v = vis[i];
    if (v >= 192) continue;
    const o = i * 4;
    if (v >= 64) img.data.set([255, 170, 40, 110], o);
    else img.data.set([0, 0, 0, 150], o);
  }
  return img;
}

/**
 * The 2D editor: the composite colour map on a canvas with pan (space-drag, middle button), zoom (wheel, fit, 1:1),
 * the UV wireframe and visibility overlays, a brush cursor, and handles on the selected sticker. Pointer input goes
 * to the document store in UV coordinates.
 */
export function TextureCanvas({ overlays, onViewApi, spaceHeld }: { overlays: CanvasOverlays; onViewApi?: (api: CanvasViewApi) => void; spaceHeld: boolean }) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const mapCanvas = useRef<HTMLCanvasElement | null>(null);
  const visCanvas = useRef<HTMLCanvasElement | null>(null);
  const viewRef = useRef<View | null>(null);
  /** Whether the user panned or zoomed; until then the map stays fitted when the canvas resizes. */
  const userView = useRef(false);
  const sizeRef = useRef({ w: 0, h: 0 });
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const drag = useRef<
    | { kind: 'pan'; sx: number; sy: number; view: View }
    | { kind: 'paint'; id: number }
    | { kind: 'sticker'; id: number; layerId: string; grab: StickerGrab; start: { u: number; v: number }; from: StickerTransform }
    | null
  >(null);
  const frame = useRef(0);
  const [cursor, setCursor] = useState('crosshair');

  const mapSize = useTextureDocument((s) => s.mapSize);
  const compositeVersion = useTextureDocument((s) => s.compositeVersion);
  const visibility = useTextureDocument((s) => s.visibility);
  const tool = useTextureDocument((s) => s.tool);
  const brushSize = useTextureDocument((s) => s.brush.size);
  const activeLayerId = useTextureDocument((s) => s.activeLayerId);
  const layers = useTextureDocument((s) => s.layers);

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    const view = viewRef.current;
    if (!canvas || !view) return;
    // For tests and tools: where the map is on screen (CSS px).
    canvas.dataset.view = `${view.zoom},${view.x},${view.y}`;
    const ctx = canvas.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = sizeRef.current;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const s = useTextureDocument.getState();
    const M = s.mapSize;
    if (!M || !mapCanvas.current) return;
    ctx.imageSmoothingEnabled = view.zoom < 1;
    ctx.drawImage(mapCanvas.current, view.x, view.y, M * view.zoom, M * view.zoom);
    if (overlays.visibility && visCanvas.current) ctx.drawImage(visCanvas.current, view.x, view.y, M * view.zoom, M * view.zoom);
    ctx.strokeStyle = 'rgba(255,255,255,0.5)';
    ctx.lineWidth = 1;
    ctx.strokeRect(view.x - 0.5, view.y - 0.5, M * view.zoom + 1, M * view.zoom + 1);
    if (overlays.wireframe) {
      const edges = openHeadUvEdges();
      const k = M * view.zoom;
      ctx.beginPath();
      for (let i = 0; i < edges.length; i += 4) {
        ctx.moveTo(view.x + edges[i] * k, view.y + edges[i + 1] * k);
        ctx.lineTo(view.x + edges[i + 2] * k, view.y + edges[i + 3] * k);
      }
      ctx.strokeStyle = 'rgba(120, 220, 255, 0.45)';
      ctx.lineWidth = 0.75;
      ctx.stroke();
    }
    const sticker = s.layers.find((l) => l.id === s.activeLayerId);
    if (sticker?.kind === 'sticker' && s.doc?.images[sticker.id] && (s.tool === 'sticker' || drag.current?.kind === 'sticker')) {
      const img = s.doc.images[sticker.id];
      const corners = stickerCornersUv(sticker.transform, img.width, img.height, M).map((c) => uvToScreen(view, M, c));
      const knob = uvToScreen(view, M, rotateKnobUv(sticker.transform, img.width, img.height, M));
      ctx.beginPath();
      corners.forEach((c, i) => (i ? ctx.lineTo(c.x, c.y) : ctx.moveTo(c.x, c.y)));
      ctx.closePath();
      ctx.strokeStyle = '#6e8bff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
      const topMid = { x: (corners[0].x + corners[1].x) / 2, y: (corners[0].y + corners[1].y) / 2 };
      ctx.beginPath();
      ctx.moveTo(topMid.x, topMid.y);
      ctx.lineTo(knob.x, knob.y);
      ctx.stroke();
      ctx.fillStyle = '#ffffff';
      for (const c of corners) ctx.fillRect(c.x - 4, c.y - 4, 8, 8);
      ctx.beginPath();
      ctx.arc(knob.x, knob.y, 5, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
    const p = pointer.current;
    if (p && (s.tool === 'brush' || s.tool === 'eraser') && !spaceHeld) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, Math.max(1, (s.brush.size / 2) * view.zoom), 0, Math.PI * 2);
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.lineWidth = 2.5;
      ctx.stroke();
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }, [overlays.visibility, overlays.wireframe, spaceHeld]);

  const requestDraw = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  }, [draw]);

  // Resize the canvas with its box; fit the map the first time there is one.
  useEffect(() => {
    const wrap = wrapRef.current;
    const canvas = canvasRef.current;
    if (!wrap || !canvas) return;
    const ro = new ResizeObserver(() => {
      const r = wrap.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      sizeRef.current = { w: r.width, h: r.height };
      canvas.width = Math.max(1, Math.round(r.width * dpr));
      canvas.height = Math.max(1, Math.round(r.height * dpr));
      const M = useTextureDocument.getState().mapSize;
      if ((!viewRef.current || !userView.current) && M) viewRef.current = fitView(M, r.width, r.height);
      requestDraw();
    });
    ro.observe(wrap);
    return () => ro.disconnect();
  }, [requestDraw]);

  useEffect(() => {
    if (!mapSize) return;
    const { w, h } = sizeRef.current;
    if (!viewRef.current && w > 0) viewRef.current = fitView(mapSize, w, h);
  }, [mapSize]);

  // Copy the composite (only the dirty rectangle when one version follows the other) into the map canvas.
  const lastVersion = useRef(-1);
  useEffect(() => {
    const s = useTextureDocument.getState();
    const c = s.composite;
    if (!c) return;
    let mc = mapCanvas.current;
    const fresh = !mc || mc.width !== c.width;
    if (fresh) {
      mc = document.createElement('canvas');
      mc.width = c.width;
      mc.height = c.height;
      mapCanvas.current = mc;
    }
    const ctx = mc!.getContext('2d')!;
    const rect = !fresh && lastVersion.current === compositeVersion - 1 ? s.compositeDirty : null;
    const r = rect ?? { x: 0, y: 0, w: c.width, h: c.height };
    const img = new ImageData(r.w, r.h);
    for (let row = 0; row < r.h; row++) img.data.set(c.rgba.subarray(((r.y + row) * c.width + r.x) * 4, ((r.y + row) * c.width + r.x + r.w) * 4), row * r.w * 4);
    ctx.putImageData(img, r.x, r.y);
    lastVersion.current = compositeVersion;
    requestDraw();
  }, [compositeVersion, requestDraw]);

  useEffect(() => {
    if (!visibility || !mapSize) {
      visCanvas.current = null;
      return;
    }
    const vc = document.createElement('canvas');
    vc.width = mapSize;
    vc.height = mapSize;
    vc.getContext('2d')!.putImageData(visibilityImage(visibility, mapSize), 0, 0);
    visCanvas.current = vc;
    requestDraw();
  }, [visibility, mapSize, requestDraw]);

  useEffect(() => requestDraw(), [overlays, tool, brushSize, activeLayerId, layers, requestDraw]);

  useEffect(() => {
    onViewApi?.({
      fit: () => {
        const { w, h } = sizeRef.current;
        const M = useTextureDocument.getState().mapSize;
        if (M) viewRef.current = fitView(M, w, h);
        userView.current = false;
        requestDraw();
      },
      actual: () => {
        const { w, h } = sizeRef.current;
        if (viewRef.current) viewRef.current = actualSize(viewRef.current, w, h);
        userView.current = true;
        requestDraw();
      },
    });
  }, [onViewApi, requestDraw]);

  // Wheel zoom must be a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      if (!viewRef.current) return;
      const r = canvas.getBoundingClientRect();
      userView.current = true;
      viewRef.current = zoomAt(viewRef.current, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
      requestDraw();
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [requestDraw]);

  const local = (e: React.PointerEvent | PointerEvent) => {
    const r = canvasRef.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const uvOf = (p: { x: number; y: number }) => screenToUv(viewRef.current!, useTextureDocument.getState().mapSize, p.x, p.y);
  const pressureOf = (e: PointerEvent | React.PointerEvent) => (e.pointerType === 'mouse' ? 1 : e.pressure || 0.5);

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const view = viewRef.current;
    if (!view) return;
    const p = local(e);
    e.currentTarget.setPointerCapture(e.pointerId);
    if (e.button === 1 || (e.button === 0 && spaceHeld)) {
      e.preventDefault();
      drag.current = { kind: 'pan', sx: p.x, sy: p.y, view };
      setCursor('grabbing');
      return;
    }
    if (e.button !== 0) return;
    const s = useTextureDocument.getState();
    const uv = uvOf(p);
    if (s.tool === 'sticker') {
      const layer = s.layers.find((l) => l.id === s.activeLayerId);
      const grabFor = (l: StickerLayer) => {
        const img = s.doc!.images[l.id];
        return img ? grabAt(l.transform, img.width, img.height, s.mapSize, uv, 8 / (view.zoom * s.mapSize)) : null;
      };
      let target = layer?.kind === 'sticker' ? layer : null;
      let grab = target ? grabFor(target) : null;
      if (!grab) {
        // Pick the topmost visible sticker under the pointer.
        for (const l of [...s.layers].reverse()) {
          if (l.kind !== 'sticker' || !l.visible) continue;
          const g = grabFor(l);
          if (g?.kind === 'move') {
            target = l;
            grab = g;
            s.selectLayer(l.id);
            break;
          }
        }
      }
      if (target && grab) drag.current = { kind: 'sticker', id: e.pointerId, layerId: target.id, grab, start: uv, from: { ...target.transform } };
      return;
    }
    s.beginStroke(uv, pressureOf(e));
    if (s.tool === 'brush' || s.tool === 'eraser') drag.current = { kind: 'paint', id: e.pointerId };
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const p = local(e);
    pointer.current = p;
    const d = drag.current;
    if (d?.kind === 'pan') {
      viewRef.current = { ...d.view, x: d.view.x + p.x - d.sx, y: d.view.y + p.y - d.sy };
      userView.current = true;
    } else if (d?.kind === 'paint') {
      const events = e.nativeEvent.getCoalescedEvents?.() ?? [e.nativeEvent];
      const s = useTextureDocument.getState();
      for (const ev of events.length ? events : [e.nativeEvent]) s.strokeTo(uvOf(local(ev)), pressureOf(ev));
    } else if (d?.kind === 'sticker') {
      useTextureDocument.getState().previewLayer(d.layerId, { transform: dragSticker(d.from, d.grab, d.start, uvOf(p)) });
    }
    requestDraw();
  };

  const endDrag = () => {
    const d = drag.current;
    drag.current = null;
    if (d?.kind === 'paint') useTextureDocument.getState().endStroke();
    if (d?.kind === 'sticker') useTextureDocument.getState().commitPreview();
    if (d?.kind === 'pan') setCursor(spaceHeld ? 'grab' : 'crosshair');
    requestDraw();
  };

  useEffect(() => setCursor(spaceHeld ? 'grab' : tool === 'sticker' ? 'move' : tool === 'picker' ? 'copy' : 'crosshair'), [spaceHeld, tool]);

  return (
    <div ref={wrapRef} className="texture-canvas-wrap">
      <canvas
        ref={canvasRef}
        className="texture-canvas"
        data-testid="texture-canvas"
        style={{ cursor }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onPointerLeave={() => {
          pointer.current = null;
          requestDraw();
        }}
        onAuxClick={(e) => e.preventDefault()}
        onContextMenu={(e) => e.preventDefault()}
      />
    </div>
  );
}
