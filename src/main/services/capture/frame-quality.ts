/** Per-frame quality from a grey image: blur (variance of the Laplacian), exposure and clipping. */
export interface FrameQuality {
  sharpness: number;
  exposure: number;
  clipped: number;
}

/**
 * `gray` is width×height bytes. Sharpness is the variance of the 4-neighbour Laplacian (a standard blur measure:
 * defocus and motion blur remove the high frequencies it responds to); it depends on the analysis size, so all
 * frames are measured at the same width. Exposure is the mean level in 0..1; clipped the share of pixels at the
 * ends of the range.
 */
export function measureFrameQuality(gray: Uint8Array, width: number, height: number): FrameQuality {
  let sum = 0;
  let clippedCount = 0;
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i]!;
    sum += v;
    if (v <= 4 || v >= 251) clippedCount++;
  }
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const l = gray[i - 1]! + gray[i + 1]! + gray[i - width]! + gray[i + width]! - 4 * gray[i]!;
      lapSum += l;
      lapSq += l * l;
      n++;
    }
  }
  const mean = n ? lapSum / n : 0;
  return {
    sharpness: n ? lapSq / n - mean * mean : 0,
    exposure: gray.length ? sum / gray.length / 255 : 0,
    clipped: gray.length ? clippedCount / gray.length : 0,
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
