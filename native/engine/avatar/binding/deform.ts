/**
 * Deform (bound Gaussians + posed mesh → world-space GaussianScene) and its backward, on the GPU.
 *
 * Forward (`encodeForward`): frames kernel (one thread per triangle) → deform kernel (one per Gaussian) writing the
 * scene's means, rotations, log-scales; opacities and SH are buffer copies. The scene's count is set to the bound
 * count (the scene grows if needed).
 *
 * Backward (`encodeBackward`), from the world scene's `SceneGradients`: log-scale, opacity and SH gradients are
 * buffer copies (d world/d local = I); the position kernel writes d[b0, b1, d] and the rotation kernel d(local
 * quaternion), both adding per-triangle sums into `accum` (compare-exchange f32 adds); the triangle kernel turns the
 * sums into vertex gradients (V×3, `vertexGrads`). The world densification statistics (`stats`) are copied into the
 * bound gradients so a `Densifier` on `bound.params` sees them. Frames are those of the last `encodeForward`.
 */
import { createStorageBuffer, createUniformBuffer, writeArray } from '../../gpu/buffers';
import { createKernel, dispatchKernel, type Kernel } from '../../gpu/kernel';
import type { SceneGradients } from '../../splat/backward-grads';
import type { GaussianScene } from '../../splat/scene';
import type { BoundGaussians } from './bound-gaussians';
import {
  ACCUM_FLOATS,
  BACKWARD_POS_WGSL,
  BACKWARD_ROT_WGSL,
  BACKWARD_TRI_WGSL,
  DEFORM_WGSL,
  FLAG_LEARN_BARYCENTRICS,
  FRAME_VEC4S,
  FRAMES_WGSL,
} from './wgsl';

/** A triangle mesh on the GPU: vertices (V×3 f32, posed; rewrite with `setVertices` per frame) and triangles (T×3 u32). */
export class BindingMesh {
  readonly device: GPUDevice;
  readonly vertexCount: number;
  readonly triangleCount: number;
  readonly vertices: GPUBuffer;
  readonly triangles: GPUBuffer;
  /** Per-triangle frames (FRAME_VEC4S vec4f each), written by `BindingDeformer.encodeForward`. */
  readonly frames: GPUBuffer;

  constructor(device: GPUDevice, triangles: Uint32Array, vertices?: ArrayLike<number>, label = 'binding-mesh') {
    this.device = device;
    this.triangleCount = triangles.length / 3;
    let maxIndex = -1;
    for (const i of triangles) maxIndex = Math.max(maxIndex, i);
    this.vertexCount = vertices ? vertices.length / 3 : maxIndex + 1;
    if (maxIndex >= this.vertexCount) throw new RangeError(`triangle index ${maxIndex} ≥ vertex count ${this.vertexCount}`);
    this.vertices = createStorageBuffer(device, this.vertexCount * 12, `${label}.vertices`);
    this.triangles = createStorageBuffer(device, triangles.byteLength, `${label}.triangles`);
    writeArray(device, this.triangles, triangles);
    this.frames = createStorageBuffer(device, this.triangleCount * FRAME_VEC4S * 16, `${label}.frames`);
    if (vertices) this.setVertices(vertices);
  }

  setVertices(vertices: ArrayLike<number>): void {
    if (vertices.length !== this.vertexCount * 3) throw new RangeError(`expected ${this.vertexCount * 3} vertex floats, got ${vertices.length}`);
    writeArray(this.device, this.vertices, vertices instanceof Float32Array ? vertices : Float32Array.from(vertices));
  }

  destroy(): void {
    for (const b of [this.vertices, this.triangles, this.frames]) b.destroy();
  }
}

export interface DeformBackwardOptions {
  /** Add into the bound gradients and vertex gradients instead of overwriting (default false). */
  accumulate?: boolean;
  /** Write d/d(b0, b1) (default false: barycentrics are fixed, their gradient is 0 so Adam leaves them alone). */
  learnBarycentrics?: boolean;
  /** Copy the world densification statistics into `boundGrads.stats` (default true). */
  copyStats?: boolean;
}

export class BindingDeformer {
  readonly device: GPUDevice;
  private readonly k: Record<'frames' | 'deform' | 'bwPos' | 'bwRot' | 'bwTri', Kernel>;
  private readonly fwdUniform: GPUBuffer;
  private readonly bwdUniform: GPUBuffer;
  private accum: GPUBuffer | null = null;
  private vgrad: GPUBuffer | null = null;

  constructor(device: GPUDevice) {
    this.device = device;
    this.k = {
      frames: createKernel(device, { label: 'binding.frames', code: FRAMES_WGSL }),
      deform: createKernel(device, { label: 'binding.deform', code: DEFORM_WGSL }),
      bwPos: createKernel(device, { label: 'binding.backward-position', code: BACKWARD_POS_WGSL }),
      bwRot: createKernel(device, { label: 'binding.backward-rotation', code: BACKWARD_ROT_WGSL }),
      bwTri: createKernel(device, { label: 'binding.backward-triangle', code: BACKWARD_TRI_WGSL }),
    };
    this.fwdUniform = createUniformBuffer(this.device, 16, 'binding.params.fwd');
    this.bwdUniform = createUniformBuffer(this.device, 16, 'binding.params.bwd');
  }

  /** dL/d vertices (V×3 f32) of the last backward; valid until the next backward with a different mesh size. */
  get vertexGrads(): GPUBuffer {
    if (!this.vgrad) throw new Error('no backward has run yet');
    return this.vgrad;
  }

  private writeParams(buffer: GPUBuffer, bound: BoundGaussians, mesh: BindingMesh, flags: number) {
    writeArray(this.device, buffer, new Uint32Array([bound.count, mesh.triangleCount, mesh.vertexCount, flags]));
  }

  /** Records the frames + deform passes; `scene` (same SH degree) ends with `bound.count` live Gaussians. */
  encodeForward(encoder: GPUCommandEncoder, bound: BoundGaussians, mesh: BindingMesh, scene: GaussianScene): void {
    if (scene.shDegree !== bound.shDegree) throw new RangeError(`scene SH degree ${scene.shDegree} ≠ bound SH degree ${bound.shDegree}`);
    const n = bound.count;
    if (scene.capacity < n) scene.grow(bound.capacity);
    scene.setCount(n);
    this.writeParams(this.fwdUniform, bound, mesh, 0);
    const p = bound.params;
    const pass = encoder.beginComputePass({ label: 'binding.forward' });
    dispatchKernel(pass, this.k.frames, this.k.frames.bind([this.fwdUniform, mesh.vertices, mesh.triangles, mesh.frames]), mesh.triangleCount, 256);
    dispatchKernel(
      pass,
      this.k.deform,
      this.k.deform.bind([this.fwdUniform, mesh.frames, bound.triangleIds, p.means, p.rotations, p.logScales, scene.means, scene.rotations, scene.logScales]),
      n,
      256,
    );
    pass.end();
    if (n > 0) {
      encoder.copyBufferToBuffer(p.opacities, 0, scene.opacities, 0, n * 4);
      encoder.copyBufferToBuffer(p.sh, 0, scene.sh, 0, n * p.shCoeffs * 12);
    }
  }

  /**
   * Records the backward: `sceneGrads` (of the world scene deformed from `bound`) → `boundGrads` (a SceneGradients of
   * `bound.params`) and `vertexGrads`.
   */
  encodeBackward(
    encoder: GPUCommandEncoder,
    bound: BoundGaussians,
    mesh: BindingMesh,
    sceneGrads: SceneGradients,
    boundGrads: SceneGradients,
    options: DeformBackwardOptions = {},
  ): void {
    const n = bound.count;
    if (boundGrads.capacity < bound.capacity) boundGrads.ensureCapacity();
    if (sceneGrads.capacity < n) throw new RangeError(`scene gradients hold ${sceneGrads.capacity} < ${n} Gaussians`);
    const accBytes = mesh.triangleCount * ACCUM_FLOATS * 4;
    if (!this.accum || this.accum.size < accBytes) {
      this.accum?.destroy();
      this.accum = createStorageBuffer(this.device, accBytes, 'binding.accum');
    }
    const vBytes = mesh.vertexCount * 12;
    if (!this.vgrad || this.vgrad.size < vBytes) {
      this.vgrad?.destroy();
      this.vgrad = createStorageBuffer(this.device, vBytes, 'binding.vertexGrads');
      encoder.clearBuffer(this.vgrad);
    }
    this.writeParams(this.bwdUniform, bound, mesh, options.learnBarycentrics ? FLAG_LEARN_BARYCENTRICS : 0);
    encoder.clearBuffer(this.accum, 0, this.accum.size);
    if (!options.accumulate) encoder.clearBuffer(this.vgrad);
    const p = bound.params;
    const acc = !!options.accumulate;
    // Position/rotation kernels write per-Gaussian gradients; with `accumulate` they go to scratch, then are added.
    const gbMeans = acc ? this.scratch('means', n * 12) : boundGrads.means;
    const gbRot = acc ? this.scratch('rot', n * 16) : boundGrads.rotations;
    const pass = encoder.beginComputePass({ label: 'binding.backward' });
    const U = this.bwdUniform;
    dispatchKernel(pass, this.k.bwPos, this.k.bwPos.bind([U, mesh.frames, bound.triangleIds, p.means, sceneGrads.means, sceneGrads.logScales, gbMeans, this.accum]), n, 256);
    dispatchKernel(pass, this.k.bwRot, this.k.bwRot.bind([U, mesh.frames, bound.triangleIds, p.rotations, sceneGrads.rotations, gbRot, this.accum]), n, 256);
    dispatchKernel(pass, this.k.bwTri, this.k.bwTri.bind([U, mesh.frames, mesh.triangles, this.accum, this.vgrad]), mesh.triangleCount, 256);
    pass.end();
    if (n === 0) return;
    if (acc) {
      this.addInto(encoder, boundGrads.means, gbMeans, n * 3, 0);
      this.addInto(encoder, boundGrads.rotations, gbRot, n * 4, 1);
      this.addInto(encoder, boundGrads.logScales, sceneGrads.logScales, n * 3, 2);
      this.addInto(encoder, boundGrads.opacities, sceneGrads.opacities, n, 3);
      this.addInto(encoder, boundGrads.sh, sceneGrads.sh, n * p.shCoeffs * 3, 4);
    } else {
      encoder.copyBufferToBuffer(sceneGrads.logScales, 0, boundGrads.logScales, 0, n * 12);
      encoder.copyBufferToBuffer(sceneGrads.opacities, 0, boundGrads.opacities, 0, n * 4);
      encoder.copyBufferToBuffer(sceneGrads.sh, 0, boundGrads.sh, 0, n * p.shCoeffs * 12);
    }
    if (options.copyStats ?? true) encoder.copyBufferToBuffer(sceneGrads.stats, 0, boundGrads.stats, 0, n * 16);
  }

  private scratchBufs = new Map<string, GPUBuffer>();
  private scratch(name: string, bytes: number): GPUBuffer {
    let b = this.scratchBufs.get(name);
    if (!b || b.size < bytes) {
      b?.destroy();
      b = createStorageBuffer(this.device, bytes, `binding.scratch.${name}`);
      this.scratchBufs.set(name, b);
    }
    return b;
  }

  private addK: Kernel | null = null;
  private addUniforms: GPUBuffer[] = [];
  /** dst[i] += src[i] for i < count (used with `accumulate`); `slot` picks a uniform (fixed per call site). */
  private addInto(encoder: GPUCommandEncoder, dst: GPUBuffer, src: GPUBuffer, count: number, slot: number): void {
    this.addK ??= createKernel(this.device, {
      label: 'binding.add',
      code: /* wgsl */ `
@group(0) @binding(0) var<uniform> n: vec4u;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i < n.x) { dst[i] = dst[i] + src[i]; }
}`,
    });
    while (this.addUniforms.length <= slot) this.addUniforms.push(createUniformBuffer(this.device, 16, 'binding.add.n'));
    writeArray(this.device, this.addUniforms[slot], new Uint32Array([count, 0, 0, 0]));
    const pass = encoder.beginComputePass({ label: 'binding.add' });
    dispatchKernel(pass, this.addK, this.addK.bind([this.addUniforms[slot], dst, src]), count, 256);
    pass.end();
  }

  destroy(): void {
    for (const b of [this.fwdUniform, this.bwdUniform, this.accum, this.vgrad, ...this.addUniforms, ...this.scratchBufs.values()]) b?.destroy();
  }
}
