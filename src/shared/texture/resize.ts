import { createRaster } from './raster';
import type { RasterImage } from './types';

/**
 * Area-average resize (premultiplied alpha, so transparent pixels do not darken edges). For downscaling; upscaling
 * falls back to nearest texel within the same loop (each target pixel covers less than one source pixel).
 */
export function resizeRaster(image: RasterImage, width: number, height: number): RasterImage {
  const out = createRaster(width, height);
  const sx = image.width / width;
  const sy = image.height / height;
  const src = image.data;
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = Math.min(image.height, y0 + Math.max(sy, 1e-6));
    for (let x = 0; x < width; x++) {
      const x0 = x * sx;
      const x1 = Math.min(image.width, x0 + Math.max(sx, 1e-6));
      let r = 0, g = 0, b = 0, a = 0, wsum = 0;
      for (let j = Math.floor(y0); j < Math.ceil(y1); j++) {
        const wy = Math.min(j + 1, y1) - Math.max(j, y0);
        if (wy <= 0) continue;
        for (let i = Math.floor(x0); i < Math.ceil(x1); i++) {
          const wx = Math.min(i + 1, x1) - Math.max(i, x0);
          if (wx <= 0) continue;
          const w = wx * wy;
          const o = (j * image.width + i) * 4;
          const al = src[o + 3] * w;
          r += src[o] * al;
          g += src[o + 1] * al;
          b += src[o + 2] * al;
          a += al;
          wsum += w;
        }
      }
      const o = (y * width + x) * 4;
      if (a > 0) {
        out.data[o] = r / a;
        out.data[o + 1] = g / a;
        out.data[o + 2] = b / a;
      }
      out.data[o + 3] = wsum > 0 ? a / wsum : 0;
    }
  }
  return out;
}
