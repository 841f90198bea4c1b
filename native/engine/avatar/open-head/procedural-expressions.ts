/**
 * A small hand-made expression basis on the 468 face vertices (mouth open, smile, brow raise, brow furrow, pucker,
 * blinks). The open head uses it before a subject's own space has been learned from footage, and tests use it to make
 * synthetic tracked sequences. Each component displaces vertices near seed landmarks with a Gaussian falloff;
 * coefficient 1 ≈ a strong expression.
 */
import { canonicalFace, FACE_VERTEX_COUNT, LIPS_INNER_LOWER, LIPS_OUTER_LOWER, LEFT_BROW, RIGHT_BROW } from './build';

interface Seed { landmarks: number[]; move: (p: number[], centre: number[]) => number[]; radius: number }

const COMPONENTS: { name: string; seeds: Seed[] }[] = [
  { name: 'mouthOpen', seeds: [{ landmarks: [...LIPS_INNER_LOWER, ...LIPS_OUTER_LOWER, 152, 17, 200, 199, 175], move: () => [0, -0.012, -0.002], radius: 0.025 }] },
  { name: 'smile', seeds: [
    { landmarks: [61, 78], move: () => [-0.006, 0.006, -0.002], radius: 0.012 },
    { landmarks: [291, 308], move: () => [0.006, 0.006, -0.002], radius: 0.012 },
  ] },
  { name: 'browRaise', seeds: [{ landmarks: [...RIGHT_BROW, ...LEFT_BROW], move: () => [0, 0.008, 0.001], radius: 0.015 }] },
  { name: 'browFurrow', seeds: [
    { landmarks: [55, 107, 66, 65], move: () => [0.003, -0.004, 0], radius: 0.01 },
    { landmarks: [285, 336, 296, 295], move: () => [-0.003, -0.004, 0], radius: 0.01 },
  ] },
  { name: 'pucker', seeds: [{ landmarks: [0, 17, 61, 291, 13, 14, 78, 308, 37, 267, 84, 314], move: (p, c) => [(c[0]! - p[0]!) * 0.35, (c[1]! - p[1]!) * 0.2, 0.006], radius: 0.012 }] },
  { name: 'blinkRight', seeds: [{ landmarks: [159, 158, 160, 161, 157, 246, 173], move: () => [0, -0.007, 0.001], radius: 0.006 }] },
  { name: 'blinkLeft', seeds: [{ landmarks: [386, 385, 387, 388, 384, 466, 398], move: () => [0, -0.007, 0.001], radius: 0.006 }] },
];

export const PROCEDURAL_EXPRESSION_NAMES = COMPONENTS.map((c) => c.name);

/** count × 468 × 3 basis (metres per unit coefficient) on the given face (default canonical). */
export function proceduralExpressionBasis(face: ArrayLike<number> = canonicalFace()): { basis: Float32Array; count: number; range: Float32Array } {
  const N = FACE_VERTEX_COUNT, E = COMPONENTS.length;
  const basis = new Float32Array(E * N * 3);
  const P = (i: number): number[] => [face[i * 3]!, face[i * 3 + 1]!, face[i * 3 + 2]!];
  COMPONENTS.forEach((comp, e) => {
    for (const seed of comp.seeds) {
      const pts = seed.landmarks.map(P);
      const centre = [0, 1, 2].map((k) => pts.reduce((s, p) => s + p[k]!, 0) / pts.length);
      for (let v = 0; v < N; v++) {
        const p = P(v);
        // weight: falloff from the nearest seed landmark
        let d2 = Infinity;
        for (const q of pts) d2 = Math.min(d2, (p[0]! - q[0]!) ** 2 + (p[1]! - q[1]!) ** 2 + (p[2]! - q[2]!) ** 2);
        const w = Math.exp(-d2 / (2 * seed.radius * seed.radius));
        if (w < 1e-4) continue;
        const m = seed.move(p, centre);
        for (let k = 0; k < 3; k++) basis[(e * N + v) * 3 + k]! += w * m[k]!;
      }
    }
  });
  const range = new Float32Array(E * 2);
  for (let e = 0; e < E; e++) { range[e * 2] = -0.5; range[e * 2 + 1] = 1.5; }
  return { basis, count: E, range };
}
