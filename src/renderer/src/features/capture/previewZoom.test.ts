import { describe, expect, it } from 'vitest';
import { clampZoom, FIT, frameToScreen, MAX_ZOOM, panBy, wheelFactor, zoomAt, zoomStep } from './previewZoom';

const W = 600, H = 400; // the view's box (the frame's aspect)

describe('frame preview zoom', () => {
  it('zooms about the pointer: the frame pixel under it stays under it, and the overlay with it', () => {
    const at = zoomAt(FIT, 4, 450, 100, W, H);
    expect(at.scale).toBe(4);
    // The image and the overlay share one layer: any frame pixel maps through the same transform.
    const fw = 1200, fh = 800;
    const before = frameToScreen(FIT, 900, 200, fw, fh, W, H);
    expect(before).toEqual([450, 100]);
    const after = frameToScreen(at, 900, 200, fw, fh, W, H);
    expect(after[0]).toBeCloseTo(450, 9);
    expect(after[1]).toBeCloseTo(100, 9);
  });

  it('never zooms out past the fit nor in past the limit, and the picture always covers the view', () => {
    expect(zoomAt(FIT, 0.5, 10, 10, W, H)).toEqual(FIT);
    expect(zoomAt({ scale: 30, x: -100, y: -100 }, 4, 0, 0, W, H).scale).toBe(MAX_ZOOM);
    const corner = zoomAt(FIT, 2, 0, 0, W, H); // zoom at the top-left corner
    expect(corner).toEqual({ scale: 2, x: 0, y: 0 });
    const edge = clampZoom({ scale: 2, x: 500, y: -5000 }, W, H);
    expect(edge).toEqual({ scale: 2, x: 0, y: -H });
  });

  it('+ / − step about the centre and 0 fits', () => {
    const z = zoomStep(zoomStep(FIT, 'in', W, H), 'in', W, H);
    expect(z.scale).toBeCloseTo(2, 9);
    expect(z.x).toBeCloseTo(-W / 2, 9);
    expect(z.y).toBeCloseTo(-H / 2, 9);
    expect(zoomStep(zoomStep(z, 'out', W, H), 'out', W, H)).toEqual(FIT);
    expect(zoomStep(z, 'fit', W, H)).toEqual(FIT);
  });

  it('drag pans with the pointer while zoomed, stopping at the frame edges; at the fit it does nothing', () => {
    const z = { scale: 4, x: -900, y: -600 };
    expect(panBy(z, 50, -20, W, H)).toEqual({ scale: 4, x: -850, y: -620 });
    expect(panBy(z, 5000, 5000, W, H)).toEqual({ scale: 4, x: 0, y: 0 });
    expect(panBy(z, -5000, -5000, W, H)).toEqual({ scale: 4, x: W - 4 * W, y: H - 4 * H });
    expect(panBy(FIT, 80, 80, W, H)).toEqual(FIT);
  });

  it('a wheel notch up zooms in by about ×1.25, down out by as much; line and page deltas scale', () => {
    expect(wheelFactor(-100)).toBeCloseTo(1.25, 2);
    expect(wheelFactor(100) * wheelFactor(-100)).toBeCloseTo(1, 12);
    expect(wheelFactor(-3, 1)).toBeCloseTo(wheelFactor(-99), 12);
  });
});
