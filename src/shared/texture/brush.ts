import { cloneRaster, clipRect, readRect, rectUnion } from './raster';
import type { RasterImage, Rect, Rgb } from './types';

export interface BrushSettings {
  /** Diameter in texels. */
  size: number;
  /** 0..1: the fraction of the radius painted at full strength before the falloff. */
  hardness: number;
  /** 0..1: the most a stroke adds (dabs within one stroke do not build up beyond it). */
  opacity: number;
  /** Distance between dabs as a fraction of the diameter. */
  spacing: number;
  /** Pressure scales the diameter (from 25 % at zero pressure). */
  pressureSize: boolean;
  /** Pressure scales the opacity. */
  pressureOpacity: boolean;
}

export const DEFAULT_BRUSH: BrushSettings = { size: 16, hardness: 0.6, opacity: 1, spacing: 0.15, pressureSize: true, pressureOpacity: false };

/**
 * The dab's strength at distance d from its centre (radius r): 1 inside hardness·r, then a smoothstep down to 0 at
 * r. A one-texel-wide ramp is kept even at hardness 1 so edges are anti-aliased.
 */
export function dabFalloff(d: number, radius: number, hardness: number): number {
  const outer = Math.max(radius, 0.5);
  const inner = Math.max(0, Math.min(outer * Math.min(1, Math.max(0, hardness)), outer - 1));
  if (d >= outer) return 0;
  if (d <= inner) return 1;
  const t = 1 - (d - inner) / (outer - inner);
  return t * t * (3 - 2 * t);
}

/** Bytes of a rectangle before and after an edit (the history stores these instead of whole layers). */
export interface RasterPatch {
  rect: Rect;
  before: Uint8ClampedArray;
  after: Uint8ClampedArray;
}

export interface StrokeOptions {
  mode: 'paint' | 'erase';
  colour: Rgb;
  brush: BrushSettings;
}

/**
 * One brush or eraser stroke on a raster, in texel space. Dabs are placed every `spacing · diameter` along the path
 * (pressure interpolated). Each texel keeps the strongest dab strength seen in this stroke (a stroke mask), and is
 * recomputed from its bytes at the start of the stroke, so overlapping dabs do not build up past the brush opacity.
 * `finish()` returns the patch of the union of touched rectangles.
 */
export class BrushStroke {
  private readonly original: RasterImage;
  private readonly mask: Float32Array;
  private dirty: Rect | null = null;
  private last: { x: number; y: number; pressure: number } | null = null;
  /** Distance travelled since the last dab. */
  private carried = 0;

  constructor(private readonly target: RasterImage, private readonly options: StrokeOptions) {
    this.original = cloneRaster(target);
    this.mask = new Float32Array(target.width * target.height);
  }

  /** Starts the stroke with one dab; returns the changed rectangle. */
  begin(x: number, y: number, pressure: number): Rect | null {
    this.last = { x, y, pressure };
    this.carried = 0;
    return this.dab(x, y, pressure);
  }

  /** Continues the stroke to (x, y); returns the changed rectangle (null if no dab fell on the segment). */
  lineTo(x: number, y: number, pressure: number): Rect | null {
    if (!this.last) return this.begin(x, y, pressure);
    const from = this.last;
    const dist = Math.hypot(x - from.x, y - from.y);
    let changed: Rect | null = null;
    let along = 0;
    for (;;) {
      const p = from.pressure + (pressure - from.pressure) * (dist > 0 ? Math.min(1, along / dist) : 1);
      const step = Math.max(0.5, this.diameter(p) * this.options.brush.spacing);
      const next = along + step - this.carried;
      if (next > dist) break;
      along = next;
      this.carried = 0;
      const t = dist > 0 ? along / dist : 1;
      changed = rectUnion(changed, this.dab(from.x + (x - from.x) * t, from.y + (y - from.y) * t, from.pressure + (pressure - from.pressure) * t));
    }
    this.carried += dist - along;
    this.last = { x, y, pressure };
    return changed;
  }

  /** The patch of everything this stroke changed, or null when nothing changed. */
  finish(): RasterPatch | null {
    if (!this.dirty) return null;
    return { rect: this.dirty, before: readRect(this.original, this.dirty), after: readRect(this.target, this.dirty) };
  }

  get dirtyRect(): Rect | null {
    return this.dirty;
  }

  private diameter(pressure: number): number {
    const { size, pressureSize } = this.options.brush;
    return size * (pressureSize ? 0.25 + 0.75 * clamp01(pressure) : 1);
  }

  private dab(cx: number, cy: number, pressure: number): Rect | null {
    const { brush, mode, colour } = this.options;
    const radius = this.diameter(pressure) / 2;
    const strength = clamp01(brush.opacity) * (brush.pressureOpacity ? clamp01(pressure) : 1);
    const W = this.target.width;
    const rect = clipRect({ x: cx - radius - 1, y: cy - radius - 1, w: 2 * radius + 2, h: 2 * radius + 2 }, W, this.target.height);
    if (!rect || strength <= 0) return null;
    const dst = this.target.data;
    const org = this.original.data;
    const [cr, cg, cb] = colour;
    for (let y = rect.y; y < rect.y + rect.h; y++) {
      for (let x = rect.x; x < rect.x + rect.w; x++) {
        const a = dabFalloff(Math.hypot(x + 0.5 - cx, y + 0.5 - cy), radius, brush.hardness) * strength;
        const t = y * W + x;
        if (a <= this.mask[t]) continue;
        this.mask[t] = a;
        const o = t * 4;
        const ao = org[o + 3] / 255;
        if (mode === 'erase') {
          dst[o + 3] = Math.round(org[o + 3] * (1 - a));
          continue;
        }
        const ar = a + ao * (1 - a);
        dst[o] = Math.round((cr * a + org[o] * ao * (1 - a)) / ar);
        dst[o + 1] = Math.round((cg * a + org[o + 1] * ao * (1 - a)) / ar);
        dst[o + 2] = Math.round((cb * a + org[o + 2] * ao * (1 - a)) / ar);
        dst[o + 3] = Math.round(ar * 255);
      }
    }
    this.dirty = rectUnion(this.dirty, rect);
    return rect;
  }
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
