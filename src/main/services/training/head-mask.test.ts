import { describe, expect, it } from 'vitest';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { headMask } from './head-mask';

describe('headMask', () => {
  it('fills the projected head and nothing far from it', () => {
    const model = createOpenHead();
    const cam = { width: 96, height: 96, fx: 200, fy: 200, cx: 48, cy: 48 };
    const mask = headMask(model, { rotation: [Math.PI, 0, 0], translation: [0, 0, 0.6] }, cam, 0);
    const covered = mask.reduce((s, v) => s + (v ? 1 : 0), 0);
    expect(mask[48 * 96 + 48]).toBe(255); // the face centre
    expect(mask[2 * 96 + 2]).toBe(0); // a corner
    expect(covered / (96 * 96)).toBeGreaterThan(0.05);
    expect(covered / (96 * 96)).toBeLessThan(0.6);
    const grown = headMask(model, { rotation: [Math.PI, 0, 0], translation: [0, 0, 0.6] }, cam, 2);
    expect(grown.reduce((s, v) => s + (v ? 1 : 0), 0)).toBeGreaterThan(covered);
  });
});
