import { createOpenHead } from '@engine/avatar/open-head/build';

let cached: Float32Array | null = null;

/**
 * The open head's UV triangle edges as line segments (u0, v0, u1, v1 per edge, each shared edge once). The UV layout
 * does not depend on the subject's shape (open-head/README.md), so the canonical head's is every avatar's.
 */
export function openHeadUvEdges(): Float32Array {
  if (cached) return cached;
  const uv = createOpenHead().uv;
  if (!uv) return (cached = new Float32Array(0));
  const seen = new Set<number>();
  const out: number[] = [];
  const n = uv.coords.length / 2;
  for (let t = 0; t < uv.triangles.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = uv.triangles[t + k];
      const b = uv.triangles[t + ((k + 1) % 3)];
      const key = Math.min(a, b) * n + Math.max(a, b);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(uv.coords[a * 2], uv.coords[a * 2 + 1], uv.coords[b * 2], uv.coords[b * 2 + 1]);
    }
  }
  return (cached = Float32Array.from(out));
}
