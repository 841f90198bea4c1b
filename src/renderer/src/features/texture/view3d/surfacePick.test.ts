import { describe, expect, it } from 'vitest';
import { PerspectiveCamera } from 'three';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { engineCamera, projectPoint } from '@engine/view/camera-math';
import { rayThroughPixel, SurfacePicker, uvAt } from './surfacePick';

const head = createOpenHead();
const vertices = head.evaluate({});
const picker = new SurfacePicker(head.triangles, head.uv!, vertices);
const M = 256;

function orbit(yaw: number, pitch: number, size = 320) {
  const cam = new PerspectiveCamera(30, 1, 0.01, 100);
  const d = 0.7;
  cam.position.set(d * Math.sin(yaw) * Math.cos(pitch), -0.02 + d * Math.sin(pitch), d * Math.cos(yaw) * Math.cos(pitch));
  cam.lookAt(0, -0.02, 0);
  cam.updateMatrixWorld();
  return engineCamera({ fov: cam.fov, viewGl: cam.matrixWorldInverse.elements }, size, size);
}

describe('3D view painting: pixel → surface → UV', () => {
  it('a ray through a projected point starts at the camera and passes through the point', () => {
    const cam = orbit(0.4, 0.1);
    const p: [number, number, number] = [0.01, 0.02, 0.05];
    const [x, y] = projectPoint(cam, p)!;
    const r = rayThroughPixel(cam, x, y);
    const v = [p[0] - r.origin[0], p[1] - r.origin[1], p[2] - r.origin[2]];
    const len = Math.hypot(v[0], v[1], v[2]);
    for (let k = 0; k < 3; k++) expect(v[k] / len).toBeCloseTo(r.dir[k], 6);
  });

  it('round trip: a known UV point projected to the screen and cast back gives the same UV within a texel (three viewpoints)', () => {
    let checked = 0, occluded = 0;
    for (const [yaw, pitch] of [[0, 0], [0.7, 0.15], [-0.9, -0.2]]) {
      const cam = orbit(yaw, pitch);
      for (let t = 0; t < head.triangles.length / 3; t += 7) {
        const uv = uvAt(head.uv!, t, 1 / 3, 1 / 3);
        const at = picker.pointAtUv(uv[0], uv[1]);
        expect(at).not.toBeNull();
        const px = projectPoint(cam, at!.point);
        if (!px || px[0] < 0 || px[1] < 0 || px[0] >= cam.width || px[1] >= cam.height) continue;
        const hit = picker.pick(cam, px[0], px[1]);
        expect(hit).not.toBeNull();
        const dist = Math.hypot(hit!.point[0] - at!.point[0], hit!.point[1] - at!.point[1], hit!.point[2] - at!.point[2]);
        if (dist > 1e-5) {
          // Hidden behind other surface: the first hit is nearer the camera, never farther.
          const toPoint = Math.hypot(...([0, 1, 2].map((k) => at!.point[k] - rayThroughPixel(cam, px[0], px[1]).origin[k]) as [number, number, number]));
          expect(hit!.t).toBeLessThan(toPoint);
          occluded++;
          continue;
        }
        expect(Math.abs(hit!.uv[0] - uv[0]) * M).toBeLessThan(1);
        expect(Math.abs(hit!.uv[1] - uv[1]) * M).toBeLessThan(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(occluded).toBeGreaterThan(100);
  });

  it('the back of the head is not painted from the front (first hit only); a pixel off the head hits nothing', () => {
    const cam = orbit(0, 0);
    const hit = picker.pick(cam, cam.cx, cam.cy);
    expect(hit).not.toBeNull();
    expect(hit!.point[2]).toBeGreaterThan(0); // the face side (+z), not the skull behind it
    expect(picker.pick(cam, 2, 2)).toBeNull();
  });
});

describe('3D view painting: strokes across UV seams', () => {
  /** A hit just inside triangle t next to its corner k (the corner's vertex, nudged 2 % towards the others). */
  const hitNear = (t: number, k: number) => {
    const b = [0.01, 0.01, 0.01];
    b[k] = 0.98;
    const V = (c: number) => [0, 1, 2].map((d) => vertices[head.triangles[t * 3 + c] * 3 + d]);
    const point = [0, 1, 2].map((d) => b[0] * V(0)[d] + b[1] * V(1)[d] + b[2] * V(2)[d]) as [number, number, number];
    return { triangle: t, barycentric: [b[0], b[1]] as [number, number], t: 1, point, uv: uvAt(head.uv!, t, b[0], b[1]) };
  };

  it('a move from the face chart onto the skull chart at a shared vertex lifts; a move within the face does not', () => {
    // Vertex 10 (top of the face oval) belongs to face triangles and to skull triangles, with a UV in each chart.
    const corners: Array<{ t: number; k: number; u: number }> = [];
    for (let t = 0; t < head.triangles.length / 3; t++)
      for (let k = 0; k < 3; k++) if (head.triangles[t * 3 + k] === 10) corners.push({ t, k, u: head.uv!.coords[head.uv!.triangles[t * 3 + k] * 2 + 1] });
    const face = corners.find((c) => c.u < 0.5)!, skull = corners.find((c) => c.u > 0.5)!; // face chart v < 0.49, skull v > 0.51
    expect(face && skull).toBeTruthy();
    const a = hitNear(face.t, face.k), b = hitNear(skull.t, skull.k);
    expect(Math.hypot(a.point[0] - b.point[0], a.point[1] - b.point[1], a.point[2] - b.point[2])).toBeLessThan(0.005);
    expect(picker.crossesSeam(a, b)).toBe(true);

    const cheek = picker.cast({ origin: [-0.045, -0.03, 1], dir: [0, 0, -1] })!;
    const near = picker.cast({ origin: [-0.035, -0.035, 1], dir: [0, 0, -1] })!;
    expect(picker.crossesSeam(cheek, near)).toBe(false);
    expect(picker.uvScale(cheek.triangle)).toBeGreaterThan(0.05); // ≈ metres of face per unit of UV
  });
});
