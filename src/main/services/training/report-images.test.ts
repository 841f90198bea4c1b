import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng, errorHeatmap, heat, rgbFloatToRgba8, sideBySide } from './report-images';

describe('report images', () => {
  it('heat map: black at no error, white at ≥ 1/gain, brighter with more error', () => {
    const render = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const target = Float32Array.from([0.5, 0.5, 0.5, 0.55, 0.55, 0.55, 1, 1, 1]);
    const img = errorHeatmap(render, target, 3, 1, 4);
    expect([...img.subarray(0, 4)]).toEqual([0, 0, 4, 255]); // the map's darkest colour
    expect([...img.subarray(8, 12)]).toEqual([252, 255, 164, 255]);
    const lum = (k: number) => img[k * 4]! + img[k * 4 + 1]! + img[k * 4 + 2]!;
    expect(lum(0)).toBeLessThan(lum(1));
    expect(lum(1)).toBeLessThan(lum(2));
    for (let t = 0; t < 1; t += 0.05) expect(heat(t + 0.05).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(heat(t).reduce((a, b) => a + b) - 1);
  });

  it('places images side by side with a gap and encodes a PNG that decodes to the same pixels', () => {
    const a = rgbFloatToRgba8(Float32Array.from({ length: 2 * 2 * 3 }, () => 1), 2, 2);
    const b = rgbFloatToRgba8(new Float32Array(2 * 2 * 3), 2, 2);
    const { data, width, height } = sideBySide([a, b], 2, 2, 1);
    expect([width, height]).toEqual([5, 2]);
    const px = (x: number, y: number) => [...data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    expect(px(1, 1)).toEqual([255, 255, 255, 255]);
    expect(px(2, 0)).toEqual([32, 32, 36, 255]);
    expect(px(3, 1)).toEqual([0, 0, 0, 255]);
    const png = PNG.sync.read(Buffer.from(encodePng(data, width, height)));
    expect(png.width).toBe(5);
    expect([...png.data]).toEqual([...data]);
  });
});
