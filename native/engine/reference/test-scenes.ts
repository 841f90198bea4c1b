/** Deterministic scene generators shared by reference and GPU tests. */
import { lookAt, makeCamera, type Vec3 } from './camera';
import { shCoeffCount, type Camera, type RefScene } from './types';

/** Small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A hand-tuned smooth scene for finite differences: a few Gaussians near the optical axis,
 * opacities in (0.3, 0.7), positive colours, all boxes covering every tile of a 32×32 image.
 */
export function smoothScene(seed: number, count = 4, shDegree = 3, featureDim = 2): RefScene {
  const r = rng(seed);
  const K = shCoeffCount(shDegree);
  const means = new Float64Array(count * 3);
  const logScales = new Float64Array(count * 3);
  const rotations = new Float64Array(count * 4);
  const opacities = new Float64Array(count);
  const sh = new Float64Array(count * K * 3);
  const features = new Float64Array(count * featureDim);
  for (let i = 0; i < count; i++) {
    means.set([(r() - 0.5) * 0.4, (r() - 0.5) * 0.4, (r() - 0.5) * 0.8], i * 3);
    logScales.set([Math.log(0.25 + 0.2 * r()), Math.log(0.25 + 0.2 * r()), Math.log(0.25 + 0.2 * r())], i * 3);
    rotations.set([0.5 + r(), r() - 0.5, r() - 0.5, r() - 0.5], i * 4);
    opacities[i] = -0.8 + 1.6 * r();
    for (let ch = 0; ch < 3; ch++) sh[i * K * 3 + ch] = 0.3 + 1.2 * r();
    for (let k = 1; k < K; k++) for (let ch = 0; ch < 3; ch++) sh[i * K * 3 + k * 3 + ch] = (r() - 0.5) * 0.3;
    for (let f = 0; f < featureDim; f++) features[i * featureDim + f] = r() * 2 - 1;
  }
  return { count, shDegree, means, logScales, rotations, opacities, sh, featureDim, features };
}

export function testCamera(eye: Vec3 = [0, 0, -4], size = 32, fovX = 0.9): Camera {
  return makeCamera(size, size, fovX, lookAt(eye, [0, 0, 0]));
}

/** A random scene of `count` Gaussians in a unit-ish cube in front of `testCamera`. */
export function randomScene(seed: number, count: number, shDegree = 3, featureDim = 0): RefScene {
  const r = rng(seed);
  const K = shCoeffCount(shDegree);
  const means = new Float32Array(count * 3);
  const logScales = new Float32Array(count * 3);
  const rotations = new Float32Array(count * 4);
  const opacities = new Float32Array(count);
  const sh = new Float32Array(count * K * 3);
  const features = new Float32Array(count * featureDim);
  for (let i = 0; i < count; i++) {
    means.set([(r() - 0.5) * 2.4, (r() - 0.5) * 2.4, (r() - 0.5) * 2], i * 3);
    logScales.set([Math.log(0.03 + 0.12 * r()), Math.log(0.03 + 0.12 * r()), Math.log(0.03 + 0.12 * r())], i * 3);
    rotations.set([r() - 0.5, r() - 0.5, r() - 0.5, r() - 0.5], i * 4);
    opacities[i] = -2 + 4 * r();
    for (let ch = 0; ch < 3; ch++) sh[i * K * 3 + ch] = (r() - 0.5) * 2;
    for (let k = 1; k < K; k++) for (let ch = 0; ch < 3; ch++) sh[i * K * 3 + k * 3 + ch] = (r() - 0.5) * 0.4;
    for (let f = 0; f < featureDim; f++) features[i * featureDim + f] = r();
  }
  return { count, shDegree, means, logScales, rotations, opacities, sh, featureDim, features };
}
