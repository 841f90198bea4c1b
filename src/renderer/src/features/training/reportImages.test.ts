import { describe, expect, it } from 'vitest';
import { displayScale, lightboxKey, REPORT_IMAGE_KINDS } from './reportImages';

describe('enlarged report images', () => {
  it('enlarge a small evaluation image by a whole factor that fits, so its pixels stay square', () => {
    expect(displayScale(128, 128, 1000, 600)).toBe(4); // 600 / 128 = 4.69
    expect(displayScale(256, 192, 1000, 600)).toBe(3); // min(3.9, 3.125)
    expect(displayScale(128, 128, 128, 128)).toBe(1);
    expect(displayScale(512, 512, 400, 300)).toBeCloseTo(300 / 512, 9); // larger than the box: the exact fit
    expect(displayScale(0, 128, 400, 300)).toBe(1);
    expect(displayScale(128, 128, 0, 0)).toBe(1); // not laid out yet
  });

  it('←/→ step through the evaluated frames (clamped), Home/End jump, 1/2/3 and G/R/E switch the image', () => {
    expect(lightboxKey('ArrowRight', 0, 5, 1)).toEqual({ sel: 1, kind: 1 });
    expect(lightboxKey('ArrowRight', 4, 5, 1)).toEqual({ sel: 4, kind: 1 });
    expect(lightboxKey('ArrowLeft', 0, 5, 2)).toEqual({ sel: 0, kind: 2 });
    expect(lightboxKey('ArrowLeft', 3, 5, 2)).toEqual({ sel: 2, kind: 2 });
    expect(lightboxKey('Home', 3, 5, 0)).toEqual({ sel: 0, kind: 0 });
    expect(lightboxKey('End', 1, 5, 0)).toEqual({ sel: 4, kind: 0 });
    expect(lightboxKey('2', 3, 5, 0)).toEqual({ sel: 3, kind: 1 });
    expect(lightboxKey('e', 3, 5, 0)).toEqual({ sel: 3, kind: 2 });
    expect(lightboxKey('G', 3, 5, 2)).toEqual({ sel: 3, kind: 0 });
    expect(lightboxKey('Escape', 3, 5, 0)).toBeNull(); // the dialog's own
    expect(lightboxKey('Enter', 3, 5, 0)).toBeNull();
    expect(REPORT_IMAGE_KINDS.map((k) => k.key)).toEqual(['groundTruth', 'render', 'error']);
  });
});
