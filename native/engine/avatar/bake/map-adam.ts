/** Adam (reference/adam.ts, 3DGS settings) on UV map texels, one state and learning rate per level × channel. */
import { adamState, adamStep, type AdamState } from '../../reference/adam';
import { CHANNELS, type UvAttributeMaps } from './uv-maps';

export class MapAdam {
  private readonly state: AdamState[][];
  private readonly buf: Float32Array[];
  private readonly grad: Float32Array[];

  /** `channelRates`: a learning rate per channel (CHANNELS numbers); `levelScale[l]` multiplies them on level l. */
  constructor(maps: UvAttributeMaps, readonly channelRates: ArrayLike<number>, readonly levelScale: ArrayLike<number> = maps.levels.map(() => 1)) {
    if (channelRates.length !== CHANNELS) throw new RangeError(`expected ${CHANNELS} channel rates, got ${channelRates.length}`);
    this.state = maps.levels.map((lv) => Array.from({ length: CHANNELS }, () => adamState(lv.length / CHANNELS)));
    this.buf = maps.levels.map((lv) => new Float32Array(lv.length / CHANNELS));
    this.grad = maps.levels.map((lv) => new Float32Array(lv.length / CHANNELS));
  }

  /** In-place step `t` (1-based) of every level with `grads` (same shapes as `maps.levels`). */
  step(maps: UvAttributeMaps, grads: readonly Float32Array[], t: number): void {
    for (let l = 0; l < maps.levels.length; l++) {
      const lv = maps.levels[l], gl = grads[l], buf = this.buf[l], gb = this.grad[l];
      for (let c = 0; c < CHANNELS; c++) {
        const rate = this.channelRates[c] * this.levelScale[l];
        if (rate === 0) continue;
        for (let p = 0; p < buf.length; p++) (buf[p] = lv[p * CHANNELS + c]), (gb[p] = gl[p * CHANNELS + c]);
        adamStep(buf, gb, this.state[l][c], t, rate);
        for (let p = 0; p < buf.length; p++) lv[p * CHANNELS + c] = buf[p];
      }
    }
  }
}
