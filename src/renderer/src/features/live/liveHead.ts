/**
 * The avatar's head for a live pose: the rig's neutral face with the driven jaw (and, once the reenactment core
 * lands, expression), turned by the driven rotation about the neutral head's centre; and the fixed front camera the
 * Live page renders it with (the viewport's home view, without three.js).
 */
import type { Camera } from '@engine/splat/camera';
import { engineCamera, STAGE_FOV } from '../viewport/cameraMath';
import { bounds, homeView, type HeadRig, type HeadState } from '../viewport/headRig';
import type { LiveHeadPose } from './retarget';

export class LiveHead {
  private readonly centre: [number, number, number];
  private readonly out: Float32Array<ArrayBuffer>;
  private readonly home: { target: [number, number, number]; distance: number };

  constructor(private readonly rig: HeadRig) {
    this.centre = bounds(rig.vertices(rig.neutral(), false)).centre;
    this.out = new Float32Array(rig.model.vertexCount * 3);
    this.home = homeView(rig, STAGE_FOV);
  }

  /** Posed vertices (a fresh array each call: the engine may still hold the previous one). */
  vertices(pose: LiveHeadPose, expression: number[] | null = null): Float32Array {
    const state: HeadState = { ...this.rig.neutral(), jaw: [pose.jaw, 0, 0] };
    if (expression) state.expression = expression.map((v, k) => this.rig.clampExpression(k, v));
    const v = this.rig.vertices(state, false, this.out);
    const out = new Float32Array(v.length);
    const R = pose.rotation;
    if (!R) {
      out.set(v);
      return out;
    }
    const [cx, cy, cz] = this.centre;
    for (let i = 0; i < v.length; i += 3) {
      const x = v[i] - cx, y = v[i + 1] - cy, z = v[i + 2] - cz;
      out[i] = R[0] * x + R[1] * y + R[2] * z + cx;
      out[i + 1] = R[3] * x + R[4] * y + R[5] * z + cy;
      out[i + 2] = R[6] * x + R[7] * y + R[8] * z + cz;
    }
    return out;
  }

  /** The front camera (the viewport's home view) for a `width`×`height` render. */
  camera(width: number, height: number): Camera {
    const [tx, ty, tz] = this.home.target;
    // GL view of a camera at target + (0, 0, distance) looking down −z: a pure translation (column-major).
    const viewGl = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -tx, -ty, -(tz + this.home.distance), 1];
    return engineCamera({ fov: STAGE_FOV, viewGl }, width, height);
  }
}
