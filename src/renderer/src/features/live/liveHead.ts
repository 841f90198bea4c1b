/**
 * The avatar's head for one reenactment step: the rig's head with the driven expression, jaw and eyes, then the
 * driven rigid motion v ↦ R_rel·v + t (the reenactment core's convention for a head standing at the model origin,
 * native/engine/avatar/reenact/README.md); and the fixed front camera the Live page renders it with (the viewport's
 * home view, without three.js).
 */
import { headRotationMatrix, type AvatarHeadParams } from '@engine/avatar/reenact';
import type { Camera } from '@engine/splat/camera';
import { engineCamera, STAGE_FOV } from '@engine/view/camera-math';
import { homeView, type HeadRig, type HeadState } from '@engine/avatar/head-rig';

export class LiveHead {
  private readonly out: Float32Array<ArrayBuffer>;
  private readonly home: { target: [number, number, number]; distance: number };

  constructor(private readonly rig: HeadRig) {
    this.out = new Float32Array(rig.model.vertexCount * 3);
    this.home = homeView(rig, STAGE_FOV);
  }

  /** Posed vertices (a fresh array each call: the engine may still hold the previous one). */
  vertices(params: AvatarHeadParams): Float32Array {
    const state: HeadState = { expression: Array.from(params.expression), jaw: [...params.jaw], eyes: [...params.eyes], pose: null };
    const v = this.rig.vertices(state, false, this.out);
    const R = headRotationMatrix(params);
    const [tx, ty, tz] = params.translation;
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i += 3) {
      const x = v[i], y = v[i + 1], z = v[i + 2];
      out[i] = R[0] * x + R[1] * y + R[2] * z + tx;
      out[i + 1] = R[3] * x + R[4] * y + R[5] * z + ty;
      out[i + 2] = R[6] * x + R[7] * y + R[8] * z + tz;
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
