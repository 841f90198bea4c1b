/**
 * Plain data types shared by the CPU reference (see ../CONVENTIONS.md).
 * Inputs accept any numeric array (Float32Array, Float64Array, number[]);
 * the reference computes in f64.
 */

export type Num = ArrayLike<number>;

/** A pinhole camera; `viewMatrix` is world→camera, column-major 4×4. */
export interface Camera {
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  viewMatrix: Num;
}

/** Gaussian parameters, structure of arrays (CONVENTIONS.md table). */
export interface RefScene {
  count: number;
  /** 0..3; K = (shDegree+1)² coefficients per Gaussian. */
  shDegree: number;
  means: Num; // N×3
  logScales: Num; // N×3
  rotations: Num; // N×4 (w, x, y, z), unnormalised
  opacities: Num; // N, logits
  sh: Num; // N×K×3
  featureDim?: number;
  features?: Num; // N×F
}

export interface RenderOptions {
  near?: number;
  /** RGB colour, or a per-pixel image `Float32Array(H·W·3)`. Default black. */
  background?: readonly [number, number, number] | Num;
}

export const TILE_SIZE = 16;
export const ALPHA_MAX = 0.99;
export const ALPHA_MIN = 1 / 255;
export const T_MIN = 1e-4;
export const LOW_PASS = 0.3;
export const DEFAULT_NEAR = 0.01;

export function shCoeffCount(degree: number): number {
  return (degree + 1) * (degree + 1);
}
