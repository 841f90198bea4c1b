import { describe, expect, it } from 'vitest';
import { manifoldReport, signedVolume } from '../mesh-utils';
import { createOpenHead, FACE_VERTEX_COUNT, UV_CHARTS } from './build';

const head = createOpenHead();

/** Rasterises UV triangles at res² and counts, per texel centre, how many triangles cover it. */
function uvCoverage(coords: Float32Array, tris: Uint32Array, res: number): Uint16Array {
  const cov = new Uint16Array(res * res);
  const jitter = 1e-4 * Math.PI; // keeps texel centres off shared edges
  for (let t = 0; t < tris.length; t += 3) {
    const ax = coords[tris[t]! * 2]! * res, ay = coords[tris[t]! * 2 + 1]! * res;
    const bx = coords[tris[t + 1]! * 2]! * res, by = coords[tris[t + 1]! * 2 + 1]! * res;
    const cx = coords[tris[t + 2]! * 2]! * res, cy = coords[tris[t + 2]! * 2 + 1]! * res;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx))), x1 = Math.min(res - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy))), y1 = Math.min(res - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 + jitter, py = y + 0.5 + jitter * 1.7;
        const w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 > 0 && w1 > 0 && w2 > 0) cov[y * res + x]!++;
      }
  }
  return cov;
}

describe('open head template', () => {
  it('has the face-mesh topology first, then a closed, consistently oriented, outward surface', () => {
    expect(head.vertexCount).toBeGreaterThan(1000);
    const rep = manifoldReport(head.triangles, head.vertexCount);
    expect(rep.boundaryEdges).toBe(0);
    expect(rep.nonManifoldEdges).toBe(0);
    expect(rep.inconsistentEdges).toBe(0);
    // head (with sealed mouth and eye pockets), two eyeballs, two ears; each a sphere (χ = 2)
    expect(rep.components).toBe(5);
    expect(rep.eulerCharacteristic).toBe(10);
    for (const [name, [a, e]] of Object.entries(head.parts.triangleRanges)) {
      if (['face', 'skull', 'mouth', 'rightSocket', 'leftSocket'].includes(name)) continue;
      expect(signedVolume(head.data.vTemplate, head.triangles.subarray(a * 3, e * 3)), name).toBeGreaterThan(0);
    }
    const vol = signedVolume(head.data.vTemplate, head.triangles);
    expect(vol).toBeGreaterThan(0.003); // a human head is about 4–5 litres
    expect(vol).toBeLessThan(0.008);
  });

  it('has a complete UV layout in [0, 1] with no overlapping texels at 512²', () => {
    const uv = head.uv!;
    expect(uv.triangles.length).toBe(head.triangles.length);
    for (const x of uv.coords) { expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThanOrEqual(1); }
    const res = 512;
    const cov = uvCoverage(uv.coords, uv.triangles, res);
    let over = 0, covered = 0;
    for (const c of cov) { if (c > 1) over++; if (c > 0) covered++; }
    expect(over).toBe(0);
    expect(covered / (res * res)).toBeGreaterThan(0.5);
    // every UV triangle has positive area (no degenerate charts)
    let degenerate = 0;
    for (let t = 0; t < uv.triangles.length; t += 3) {
      const a = uv.triangles[t]! * 2, b = uv.triangles[t + 1]! * 2, c = uv.triangles[t + 2]! * 2;
      const area = (uv.coords[b]! - uv.coords[a]!) * (uv.coords[c + 1]! - uv.coords[a + 1]!) - (uv.coords[b + 1]! - uv.coords[a + 1]!) * (uv.coords[c]! - uv.coords[a]!);
      if (Math.abs(area) < 1e-9) degenerate++;
    }
    expect(degenerate).toBe(0);
    // every chart stays inside its rectangle
    for (const [name, [a, e]] of Object.entries(head.parts.triangleRanges)) {
      const rect = UV_CHARTS[(name === 'face' || name === 'skull' || name === 'mouth' ? name : name) as keyof typeof UV_CHARTS];
      for (let t = a * 3; t < e * 3; t++) {
        const u = uv.coords[uv.triangles[t]! * 2]!, v = uv.coords[uv.triangles[t]! * 2 + 1]!;
        expect(u >= rect[0] - 1e-6 && u <= rect[2] + 1e-6 && v >= rect[1] - 1e-6 && v <= rect[3] + 1e-6, name).toBe(true);
      }
    }
  });

  it('embeds the 468 face landmarks as vertices and the 10 iris landmarks on the eyeballs', () => {
    const lm = head.landmarks;
    expect(lm.landmarkIndex.length).toBe(478);
    const verts = head.evaluate({});
    for (const l of [0, 152, 33, 263, 467]) {
      const t = lm.triangle[l]!;
      let p = [0, 0, 0];
      for (let k = 0; k < 3; k++) for (let c = 0; c < 3; c++) p[c]! += lm.barycentric[l * 3 + k]! * verts[head.triangles[t * 3 + k]! * 3 + c]!;
      expect(p[0]).toBeCloseTo(verts[l * 3]!, 6);
      expect(p[1]).toBeCloseTo(verts[l * 3 + 1]!, 6);
    }
    expect([...lm.landmarkIndex.slice(468)]).toEqual([468, 469, 470, 471, 472, 473, 474, 475, 476, 477]);
    // iris 468 belongs to the subject's right eye (x < 0), 473 to the left (x > 0), both in front of the eyeball
    const iris = (l: number): number[] => {
      const t = lm.triangle[l]!;
      const p = [0, 0, 0];
      for (let k = 0; k < 3; k++) for (let c = 0; c < 3; c++) p[c]! += lm.barycentric[l * 3 + k]! * verts[head.triangles[t * 3 + k]! * 3 + c]!;
      return p;
    };
    expect(iris(468)[0]).toBeLessThan(-0.02);
    expect(iris(473)[0]).toBeGreaterThan(0.02);
    expect(Math.hypot(iris(469)[0]! - iris(468)[0]!, iris(469)[1]! - iris(468)[1]!)).toBeCloseTo(0.0058, 3);
  });

  it('skins jaw, eyes and neck: weights sum to one, the jaw opens the mouth, eyes turn the iris only', () => {
    const J = 5;
    for (let v = 0; v < head.vertexCount; v++) {
      let s = 0;
      for (let j = 0; j < J; j++) s += head.data.weights[v * J + j]!;
      expect(s).toBeCloseTo(1, 5);
    }
    const rest = head.evaluate({});
    const open = head.evaluate({ jointRotations: [0, 0, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0, 0, 0] });
    // lower lip moves down, upper lip stays, forehead stays
    expect(open[14 * 3 + 1]! - rest[14 * 3 + 1]!).toBeLessThan(-0.004);
    expect(Math.abs(open[13 * 3 + 1]! - rest[13 * 3 + 1]!)).toBeLessThan(1e-6);
    expect(Math.abs(open[10 * 3 + 1]! - rest[10 * 3 + 1]!)).toBeLessThan(1e-9);
    const look = head.evaluate({ jointRotations: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0, 0, 0.3, 0] });
    let movedFace = 0;
    for (let v = 0; v < FACE_VERTEX_COUNT; v++) movedFace += Math.abs(look[v * 3]! - rest[v * 3]!);
    expect(movedFace).toBe(0);
    const [a, e] = head.parts.vertexRanges.leftEyeball!;
    expect(Math.abs(look[a * 3]! - rest[a * 3]!)).toBeGreaterThan(0.002);
    void e;
    // neck rotation turns the whole head but not the neck base
    const turn = head.evaluate({ jointRotations: [0, 0, 0, 0, 0.4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(Math.abs(turn[4 * 3]! - rest[4 * 3]!)).toBeGreaterThan(0.02);
  });
});
