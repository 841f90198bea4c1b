/**
 * The texture editor's 3D path on the engine (Node, Dawn/SwiftShader), as the 3D view runs it: texture document →
 * compositeTexture → EditPreview (the edited avatar Apply will write; on this dense avatar only SH DC changes) → the
 * engine's SH buffer → deform → render.
 * - a sticker on the cheek shows in renders from three viewpoints where its UV centre projects;
 * - undoing it gives renders identical to before (the colours are bit-identical);
 * - painting on the 3D view (pixel → ray → UV → brush) writes the texels under the cursor.
 */
import { describe, expect, it } from 'vitest';
import { PerspectiveCamera } from 'three';
import { BoundGaussians } from '@engine/avatar/binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '@engine/avatar/binding/deform';
import { initFromUvLayout } from '@engine/avatar/binding/init';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { testDevice } from '@engine/gpu/test-device';
import type { Camera } from '@engine/splat/camera';
import { ForwardRenderer } from '@engine/splat/forward';
import { readForwardImages } from '@engine/splat/images';
import { GaussianScene } from '@engine/splat/scene';
import { addLayer, BrushStroke, compositeTexture, createDocument, createRaster, DEFAULT_BRUSH, paintLayer, stickerLayer, TextureHistory } from '@shared/texture';
import { engineCamera, projectPoint } from '@engine/view/camera-math';
import { EditPreview } from './editPreview';
import { SurfacePicker } from './surfacePick';

const gpu = await testDevice();
const M = 64;
const SIZE = 96;

function orbit(yaw: number, pitch: number): Camera {
  const cam = new PerspectiveCamera(30, 1, 0.01, 100);
  const d = 0.6;
  cam.position.set(d * Math.sin(yaw) * Math.cos(pitch), -0.02 + d * Math.sin(pitch), d * Math.cos(yaw) * Math.cos(pitch));
  cam.lookAt(0, -0.02, 0);
  cam.updateMatrixWorld();
  return engineCamera({ fov: cam.fov, viewGl: cam.matrixWorldInverse.elements }, SIZE, SIZE);
}

describe.skipIf(!gpu.device)('texture 3D view on the engine', () => {
  it('a cheek sticker shows where its UV projects (3 views); undo restores the renders exactly; painting on 3D writes the texels under the cursor', async () => {
    const device = gpu.device!;
    const head = createOpenHead();
    const vertices = head.evaluate({});
    const uv = head.uv!;
    const data = initFromUvLayout({ vertices, triangles: head.triangles }, uv, { resolution: M, opacity: 0.9, scaleFactor: 0.8 }).data;
    const picker = new SurfacePicker(head.triangles, uv, vertices);

    const bound = BoundGaussians.fromData(device, data);
    const mesh = new BindingMesh(device, head.triangles, vertices);
    const scene = GaussianScene.create(device, { capacity: data.count, shDegree: data.shDegree });
    const deformer = new BindingDeformer(device);
    const renderer = new ForwardRenderer(device);
    const render = async (sh: Float32Array, camera: Camera) => {
      device.queue.writeBuffer(bound.params.sh, 0, sh.buffer, sh.byteOffset, sh.byteLength);
      const enc = device.createCommandEncoder();
      deformer.encodeForward(enc, bound, mesh, scene);
      device.queue.submit([enc.finish()]);
      return (await readForwardImages(device, await renderer.render(scene, camera, { background: [0, 0, 0] }))).rgb;
    };

    try {
      // The document over a grey base (the avatar's own colour), the subject's right cheek found by a ray from the front.
      const base = createRaster(M, M);
      base.data.fill(128);
      const doc = createDocument(M);
      const history = new TextureHistory();
      const preview = new EditPreview(data, uv, { vertices, triangles: head.triangles });
      const edited = (composite: ReturnType<typeof compositeTexture>) => {
        const { avatar } = preview.apply(composite, base);
        expect(avatar.count).toBe(data.count); // one Gaussian per texel: none to add
        return avatar.sh.slice();
      };
      const shOf = () => edited(compositeTexture(base, doc.layers, doc.images));
      const cheek = picker.cast({ origin: [-0.045, -0.03, 1], dir: [0, 0, -1] })!;
      expect(cheek).not.toBeNull();
      const centre = picker.pointAtUv(cheek.uv[0], cheek.uv[1])!.point;

      const cameras = [orbit(-0.35, 0), orbit(-0.8, 0.15), orbit(0.1, -0.2)];
      const before: Float32Array[] = [];
      for (const c of cameras) before.push(await render(data.sh, c));
      const shBase = shOf();
      expect(Buffer.compare(Buffer.from(shBase.buffer), Buffer.from(data.sh.buffer.slice(data.sh.byteOffset, data.sh.byteOffset + data.sh.byteLength)))).toBe(0);

      const red = createRaster(16, 16);
      for (let p = 0; p < 256; p++) red.data.set([230, 20, 30, 255], p * 4);
      history.record(addLayer(doc, stickerLayer({ u: cheek.uv[0], v: cheek.uv[1], size: 5 / M, rotation: 0, flipX: false, flipY: false }), red));
      const shSticker = shOf();
      for (const [k, cam] of cameras.entries()) {
        const img = await render(shSticker, cam);
        const [px, py] = projectPoint(cam, centre)!;
        const at = (Math.floor(py) * SIZE + Math.floor(px)) * 3;
        let sx = 0, sy = 0, n = 0;
        for (let p = 0; p < SIZE * SIZE; p++)
          if (img[p * 3] - before[k][p * 3] > 0.1) (sx += (p % SIZE) + 0.5), (sy += Math.floor(p / SIZE) + 0.5), n++;
        console.info(`[texture-3d] view ${k}: sticker centre projects to (${px.toFixed(1)}, ${py.toFixed(1)}); ${n} px changed, centroid (${(sx / n).toFixed(1)}, ${(sy / n).toFixed(1)}); pixel there rgb ${[0, 1, 2].map((c) => img[at + c].toFixed(2)).join(' ')} (before ${[0, 1, 2].map((c) => before[k][at + c].toFixed(2)).join(' ')})`);
        expect(img[at] - img[at + 1]).toBeGreaterThan(0.3); // red at the projected centre
        expect(Math.abs(before[k][at] - before[k][at + 1])).toBeLessThan(0.05); // grey before
        expect(n).toBeGreaterThan(4);
        expect(Math.hypot(sx / n - px, sy / n - py)).toBeLessThan(3);
      }

      // Undo: colours bit-identical, renders identical.
      history.undo(doc);
      const shUndone = shOf();
      expect(Buffer.compare(Buffer.from(shUndone.buffer), Buffer.from(shBase.buffer))).toBe(0);
      for (const [k, cam] of cameras.entries()) expect(Buffer.compare(Buffer.from((await render(shUndone, cam)).buffer), Buffer.from(before[k].buffer))).toBe(0);

      // Painting on the 3D view: the pixel where a forehead texel projects → ray → UV → a 3-texel dab.
      const layer = paintLayer();
      history.record(addLayer(doc, layer));
      const cam = cameras[1];
      const target = picker.cast({ origin: [-0.02, 0.06, 1], dir: [0, 0, -1] })!;
      const [tx, ty] = projectPoint(cam, target.point)!;
      const hit = picker.pick(cam, tx, ty)!;
      const tex = { x: Math.floor(target.uv[0] * M), y: Math.floor(target.uv[1] * M) };
      expect(Math.abs(hit.uv[0] - target.uv[0]) * M).toBeLessThan(1);
      expect(Math.abs(hit.uv[1] - target.uv[1]) * M).toBeLessThan(1);
      const stroke = new BrushStroke(doc.images[layer.id], { mode: 'paint', colour: [20, 40, 240], brush: { ...DEFAULT_BRUSH, size: 3, hardness: 1 } });
      stroke.begin(hit.uv[0] * M, hit.uv[1] * M, 1);
      const patch = stroke.finish()!;
      history.record({ kind: 'raster', layerId: layer.id, patch });
      const composite = compositeTexture(base, doc.layers, doc.images);
      const painted: Array<[number, number]> = [];
      for (let p = 0; p < M * M; p++) if (composite.coverage[p] > 0) painted.push([p % M, Math.floor(p / M)]);
      expect(composite.coverage[tex.y * M + tex.x]).toBe(255);
      expect(composite.rgba[(tex.y * M + tex.x) * 4 + 2]).toBe(240);
      for (const [x, y] of painted) expect(Math.hypot(x - tex.x, y - tex.y)).toBeLessThanOrEqual(2.5);
      const img = await render(edited(composite), cam);
      const at = (Math.floor(ty) * SIZE + Math.floor(tx)) * 3;
      expect(img[at + 2] - img[at]).toBeGreaterThan(0.15); // blue under the cursor in the 3D view
    } finally {
      for (const x of [bound, mesh, scene, deformer, renderer]) x.destroy();
    }
  });
});
