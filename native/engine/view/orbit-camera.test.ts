import { PerspectiveCamera, Vector3 } from 'three';
import { describe, expect, it } from 'vitest';
import { engineCamera, projectPoint } from './camera-math';
import { orbitCamera, orbitViewGl } from './orbit-camera';

/** The viewport's camera (Stage.tsx): three.js at target + (0, 0, d) looking at the target. */
function threeView(target: [number, number, number], eye: [number, number, number]): Float32Array {
  const cam = new PerspectiveCamera(30, 1, 0.01, 100);
  cam.position.set(...eye);
  cam.lookAt(new Vector3(...target));
  cam.updateMatrixWorld();
  return Float32Array.from(cam.matrixWorldInverse.elements);
}

describe('orbit camera', () => {
  it('yaw 0 is the viewport’s home camera (three.js lookAt from +z), exactly', () => {
    const target: [number, number, number] = [0.01, 0.02, 0.03];
    const mine = orbitViewGl({ target, distance: 0.8, yaw: 0, pitch: 0 });
    const ref = threeView(target, [0.01, 0.02, 0.83]);
    for (let i = 0; i < 16; i++) expect(mine[i]).toBeCloseTo(ref[i]!, 6);
  });

  it('any yaw/pitch matches three.js lookAt from the orbit position, and the target projects to the image centre', () => {
    const target: [number, number, number] = [0, 0.05, -0.02];
    for (const [yaw, pitch] of [[0.7, 0.3], [Math.PI, -0.4], [-2, 0.1]] as const) {
      const d = 0.6;
      const eye: [number, number, number] = [target[0] + d * Math.sin(yaw) * Math.cos(pitch), target[1] + d * Math.sin(pitch), target[2] + d * Math.cos(yaw) * Math.cos(pitch)];
      const mine = orbitViewGl({ target, distance: d, yaw, pitch });
      const ref = threeView(target, eye);
      for (let i = 0; i < 16; i++) expect(mine[i]).toBeCloseTo(ref[i]!, 5);
      const cam = orbitCamera({ target, distance: d, yaw, pitch }, 30, 200, 100);
      expect(cam).toEqual(engineCamera({ fov: 30, viewGl: mine }, 200, 100));
      const [u, v] = projectPoint(cam, target)!;
      expect(u).toBeCloseTo(100, 4);
      expect(v).toBeCloseTo(50, 4);
    }
  });

  it('positive yaw looks from the subject’s left (+x): a point on +x comes nearer the camera', () => {
    const cam = orbitCamera({ target: [0, 0, 0], distance: 1, yaw: Math.PI / 2, pitch: 0 }, 30, 100, 100);
    const V = cam.viewMatrix;
    const depth = (p: number[]) => V[2]! * p[0]! + V[6]! * p[1]! + V[10]! * p[2]! + V[14]!;
    expect(depth([0.1, 0, 0])).toBeLessThan(depth([-0.1, 0, 0]));
  });
});
