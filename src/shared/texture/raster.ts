import type { RasterImage, Rect } from './types';

export function createRaster(width: number, height: number): RasterImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}

export function cloneRaster(image: RasterImage): RasterImage {
  return { width: image.width, height: image.height, data: new Uint8ClampedArray(image.data) };
}

export function rectUnion(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x0 = Math.min(a.x, b.x);
  const y0 = Math.min(a.y, b.y);
  const x1 = Math.max(a.x + a.w, b.x + b.w);
  const y1 = Math.max(a.y + a.h, b.y + b.h);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** The part of a rectangle inside a width × height image, or null when empty. */
export function clipRect(r: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(r.x));
  const y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(width, Math.ceil(r.x + r.w));
  const y1 = Math.min(height, Math.ceil(r.y + r.h));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/** Copies the RGBA bytes of a rectangle out of an image. */
export function readRect(image: RasterImage, r: Rect): Uint8ClampedArray {
  const out = new Uint8ClampedArray(r.w * r.h * 4);
  for (let row = 0; row < r.h; row++) {
    const start = ((r.y + row) * image.width + r.x) * 4;
    out.set(image.data.subarray(start, start + r.w * 4), row * r.w * 4);
  }
  return out;
}

/** Writes RGBA bytes (r.w × r.h) into a rectangle of an image. */
export function writeRect(image: RasterImage, r: Rect, bytes: Uint8ClampedArray): void {
  for (let row = 0; row < r.h; row++) {
    image.data.set(bytes.subarray(row * r.w * 4, (row + 1) * r.w * 4), ((r.y + row) * image.width + r.x) * 4);
  }
}

/** UV → continuous texel space (texel x covers [x, x+1)). */
export function uvToTexel(uv: { u: number; v: number }, mapSize: number): { x: number; y: number } {
  return { x: uv.u * mapSize, y: uv.v * mapSize };
}

/** The texel under a UV point, clamped to the map. */
export function texelIndexAt(uv: { u: number; v: number }, mapSize: number): { x: number; y: number } {
  const clamp = (t: number) => Math.min(mapSize - 1, Math.max(0, Math.floor(t * mapSize)));
  return { x: clamp(uv.u), y: clamp(uv.v) };
}
