/**
 * Shows the engine's colour output (ForwardState.color: vec4f per pixel, rows top to bottom) on a WebGPU canvas: a
 * full-screen triangle whose fragment shader reads the pixel under it. No readback; the canvas is the render's size
 * and CSS scales it. Colours are the trained sRGB values (training targets are the 8-bit frames / 255), written to a
 * non-sRGB canvas format unchanged, clamped to [0, 1].
 */
export const BLIT_WGSL = /* wgsl */ `
struct BlitParams { size: vec2u, pad: vec2u };
@group(0) @binding(0) var<uniform> params: BlitParams;
@group(0) @binding(1) var<storage, read> color: array<vec4f>;

@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(xy * 2.0 - 1.0, 0.0, 1.0);
}

@fragment fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let x = min(u32(pos.x), params.size.x - 1u);
  let y = min(u32(pos.y), params.size.y - 1u);
  let c = color[y * params.size.x + x];
  return vec4f(clamp(c.rgb, vec3f(0.0), vec3f(1.0)), 1.0);
}
`;

export class CanvasBlit {
  private readonly pipeline: GPURenderPipeline;
  private readonly uniform: GPUBuffer;

  constructor(
    private readonly device: GPUDevice,
    readonly format: GPUTextureFormat,
  ) {
    const module = device.createShaderModule({ label: 'viewport.blit', code: BLIT_WGSL });
    this.pipeline = device.createRenderPipeline({
      label: 'viewport.blit',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.uniform = device.createBuffer({ label: 'viewport.blit.params', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  }

  /** Records the copy of `color` (width×height) into the canvas's current texture. */
  encode(encoder: GPUCommandEncoder, context: GPUCanvasContext, color: GPUBuffer, width: number, height: number): void {
    this.device.queue.writeBuffer(this.uniform, 0, new Uint32Array([width, height, 0, 0]));
    const bind = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniform } },
        { binding: 1, resource: { buffer: color, size: width * height * 16 } },
      ],
    });
    const pass = encoder.beginRenderPass({
      label: 'viewport.blit',
      colorAttachments: [{ view: context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bind);
    pass.draw(3);
    pass.end();
  }

  destroy(): void {
    this.uniform.destroy();
  }
}
