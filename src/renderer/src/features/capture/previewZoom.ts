/**
 * Zoom and pan of the footage frame preview (one view). The view's box has the frame's aspect ratio and holds the
 * image, the thumbnail and the tracking overlay (an SVG in frame pixels) in one transformed layer, so whatever the
 * zoom the overlay stays on the pixels it names. A zoom is `screen = offset + scale · box` in the box's CSS pixels:
 * scale 1 is the fit, and the zoomed layer always covers the box (no empty margin can be panned into view).
 */
export interface PreviewZoom {
  scale: number;
  x: number;
  y: number;
}

export const FIT: PreviewZoom = { scale: 1, x: 0, y: 0 };
export const MIN_ZOOM = 1;
/** Enough for a face 40 px wide in a 1024-px frame shown 600 px wide to fill the view. */
export const MAX_ZOOM = 32;
/** One + / − step. */
export const ZOOM_STEP = 2 ** 0.5;

/** Keeps the scale in range and the layer over the whole box (w × h). */
export function clampZoom(z: PreviewZoom, w: number, h: number): PreviewZoom {
  const scale = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z.scale));
  if (scale <= MIN_ZOOM + 1e-9) return FIT;
  const clamp = (v: number, size: number) => Math.min(0, Math.max(size - scale * size, v));
  return { scale, x: clamp(z.x, w), y: clamp(z.y, h) };
}

/** Zooms by `factor` about the box point (px, py), which stays under the pointer. */
export function zoomAt(z: PreviewZoom, factor: number, px: number, py: number, w: number, h: number): PreviewZoom {
  const scale = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z.scale * factor));
  const k = scale / z.scale;
  return clampZoom({ scale, x: px - (px - z.x) * k, y: py - (py - z.y) * k }, w, h);
}

/** The + / − / 0 keys and buttons: a step about the box's centre, or the fit. */
export function zoomStep(z: PreviewZoom, detail: 'in' | 'out' | 'fit', w: number, h: number): PreviewZoom {
  if (detail === 'fit') return FIT;
  return zoomAt(z, detail === 'in' ? ZOOM_STEP : 1 / ZOOM_STEP, w / 2, h / 2, w, h);
}

/** A drag of (dx, dy) screen pixels moves the picture with the pointer. */
export function panBy(z: PreviewZoom, dx: number, dy: number, w: number, h: number): PreviewZoom {
  return clampZoom({ ...z, x: z.x + dx, y: z.y + dy }, w, h);
}

/** The wheel: a notch (100 px of deltaY) zooms by about ×1.25; trackpads give finer steps. */
export function wheelFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-px * 0.00223);
}

/** Where a frame pixel (u, v) of a w×h box holding a fw×fh frame (contain-fit) lands on screen, zoomed. */
export function frameToScreen(z: PreviewZoom, u: number, v: number, fw: number, fh: number, w: number, h: number): [number, number] {
  const fit = Math.min(w / fw, h / fh);
  const ox = (w - fw * fit) / 2, oy = (h - fh * fit) / 2;
  return [z.x + z.scale * (ox + u * fit), z.y + z.scale * (oy + v * fit)];
}

/**
 * Which preview view takes + / − / 0 now: the one under the pointer or holding the focus. While none does, those keys
 * zoom the timeline as before (useFootageKeys asks here first).
 */
let activeView: ((detail: 'in' | 'out' | 'fit') => void) | null = null;
export function setActivePreviewView(zoom: ((detail: 'in' | 'out' | 'fit') => void) | null): void {
  activeView = zoom;
}
export function activePreviewView(): ((detail: 'in' | 'out' | 'fit') => void) | null {
  return activeView;
}
