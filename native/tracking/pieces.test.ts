/**
 * The tracker's pure pieces (no models): the detector's anchors and the landmarks' One Euro filter. The tracker on
 * real photos is tested where its Node sessions are (src/main/services/tracking/tracking.test.ts), the browser
 * sessions in src/player/webcam.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { blazefaceAnchors } from './detector';
import { OneEuroFilter } from './one-euro';

describe('pieces', () => {
  it('BlazeFace anchors: 16×16×2 + 8×8×6 = 896', () => {
    const a = blazefaceAnchors();
    expect(a.length).toBe(896 * 2);
    expect([a[0], a[1]]).toEqual([8, 8]);
    expect([a[1024], a[1025]]).toEqual([16, 16]);
  });

  it('One Euro filter removes most jitter from a still point and follows a step', () => {
    const f = new OneEuroFilter({ minCutoff: 1, beta: 0.05, dCutoff: 1 });
    let s = 1;
    const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 4;
    let rawVar = 0;
    let outVar = 0;
    for (let i = 0; i < 300; i++) {
      const v = 100 + noise();
      const o = f.filter(Float32Array.of(v), i / 30)[0]!;
      if (i > 30) {
        rawVar += (v - 100) ** 2;
        outVar += (o - 100) ** 2;
      }
    }
    expect(outVar).toBeLessThan(rawVar / 4);
    let o = 0;
    for (let i = 300; i < 330; i++) o = f.filter(Float32Array.of(200), i / 30)[0]!;
    expect(o).toBeGreaterThan(195);
  });
});
