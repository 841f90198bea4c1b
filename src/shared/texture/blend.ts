import type { BlendMode } from './types';

/**
 * Separable blend functions B(backdrop, source) on 0..1 channel values (W3C Compositing and Blending Level 1;
 * `add` is linear dodge clamped to 1). The composite is backdrop·(1−α) + B(backdrop, source)·α.
 */
export function blendChannel(mode: BlendMode, cb: number, cs: number): number {
  switch (mode) {
    case 'normal':
      return cs;
    case 'multiply':
      return cb * cs;
    case 'screen':
      return cb + cs - cb * cs;
    case 'overlay':
      return cb <= 0.5 ? 2 * cb * cs : 1 - 2 * (1 - cb) * (1 - cs);
    case 'add':
      return Math.min(1, cb + cs);
  }
}
