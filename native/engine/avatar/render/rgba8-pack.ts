/**
 * The engine's colour output (ForwardState.color: vec4f per pixel, rows top to bottom) packed to opaque RGBA8 on the
 * GPU (4 bytes a pixel instead of 16) and read back once: what the viewport puts on its 2D canvas (`AvatarRenderer`
 * `readRgba8`).
 *
 * Why not a WebGPU canvas context: in headless Chromium on SwiftShader (the CI browser), `getCurrentTexture()` destroys
 * the device ("A valid external Instance reference no longer exists"), so a swap-chain path could not be tested; this
 * path works on every adapter. Colours are the trained sRGB values (training targets are the 8-bit frames / 255),
 * clamped to [0, 1] and rounded half up; alpha is opaque.
 */
import { createStorageBuffer, createUniformBuffer } from '../../gpu/buffers';
import { createKernel, dispatchKernel, type Kernel } from '../../gpu/kernel';
import { readBufferBytes } from '../../gpu/readback';

export const PACK_RGBA8_WGSL = /* wgsl */ `
struct PackParams { n: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> params: PackParams;
@group(0) @binding(1) var<storage, read> color: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> rgba: array<u32>;

fn to8(x: f32) -> u32 {
  // NaN fails the comparison and becomes 0.
  let c = select(0.0, min(x, 1.0), x > 0.0);
  return u32(floor(c * 255.0 + 0.5));
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 256u + lid;
  if (i >= params.n) { return; }
  let c = color[i];
  rgba[i] = to8(c.r) | (to8(c.g) << 8u) | (to8(c.b) << 16u) | (255u << 24u);
}
`;

/** CPU twin of PACK_RGBA8_WGSL: vec4f per pixel → RGBA8 bytes (ImageData order). */
export function packRgba8Reference(color: Float32Array, n = color.length / 4): Uint8ClampedArray {
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const x = color[i * 4 + k];
      const c = x > 0 ? Math.min(x, 1) : 0;
      out[i * 4 + k] = Math.floor(Math.fround(Math.fround(c * 255) + 0.5));
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

export class Rgba8Packer {
  private readonly kernel: Kernel;
  private readonly params: GPUBuffer;
  private out: GPUBuffer | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly label = 'avatar',
  ) {
    this.kernel = createKernel(device, { label: `${label}.pack-rgba8`, code: PACK_RGBA8_WGSL });
    this.params = createUniformBuffer(device, 16, `${label}.pack.params`);
  }

  /** Packs `n` pixels of `color` and reads them back as RGBA8 bytes. */
  async pack(color: GPUBuffer, n: number): Promise<Uint8ClampedArray<ArrayBuffer>> {
    if (!this.out || this.out.size < n * 4) {
      this.out?.destroy();
      this.out = createStorageBuffer(this.device, Math.max(16, n * 4), `${this.label}.pack.rgba`);
    }
    this.device.queue.writeBuffer(this.params, 0, new Uint32Array([n, 0, 0, 0]));
    const enc = this.device.createCommandEncoder({ label: `${this.label}.pack` });
    const pass = enc.beginComputePass({ label: `${this.label}.pack` });
    dispatchKernel(pass, this.kernel, this.kernel.bind([this.params, color, this.out]), n, 256);
    pass.end();
    this.device.queue.submit([enc.finish()]);
    return new Uint8ClampedArray(await readBufferBytes(this.device, this.out, 0, n * 4));
  }

  destroy(): void {
    this.params.destroy();
    this.out?.destroy();
  }
}
