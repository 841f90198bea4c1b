import { texelIndexAt } from './raster';
import type { Composite, Rgb } from './types';

/** The composite colour under a UV point. */
export function pickColour(composite: Composite, uv: { u: number; v: number }): Rgb {
  const { x, y } = texelIndexAt(uv, composite.width);
  const o = (y * composite.width + x) * 4;
  return [composite.rgba[o], composite.rgba[o + 1], composite.rgba[o + 2]];
}

export function rgbToHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return [0, 0, 0];
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
