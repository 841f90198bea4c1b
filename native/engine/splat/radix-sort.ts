import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { workgroups2D } from '../gpu/dispatch';
import { createKernel, dispatchGroups, type Kernel } from '../gpu/kernel';
import { defaultScanSortMode, type ScanSortMode } from '../gpu/adapter-kind';
import { RADIX_BINS, RADIX_BLOCK, radixHistogramWgsl } from './kernels/radix-histogram';
import { radixHistogramSerialWgsl } from './kernels/radix-histogram-serial';
import { radixScatterWgsl } from './kernels/radix-scatter';
import { radixScatterSerialWgsl } from './kernels/radix-scatter-serial';
import { PrefixScan } from './scan';

/**
 * Stable LSD radix sort of u32 keys with u32 values on the GPU, 4 bits per pass (histogram → scan → scatter).
 * The number of keys is read on the GPU from `counts[countIndex]`, so it may come from an earlier kernel with no
 * CPU readback; dispatch sizes come from `capacity` (blocks past the count do no work).
 *
 * `mode`: 'parallel' (a workgroup per 1024-key block; local sort by 1-bit splits in workgroup memory — GPUs) or
 * 'serial' (an invocation per block walks its keys in order — no barriers, for CPU adapters); default by adapter.
 *
 * Uniforms are rewritten by each encode(): one encode() per instance per queue submission (one instance per call
 * site).
 */
export interface SortBuffers {
  keys: GPUBuffer;
  values: GPUBuffer;
  /** Ping-pong partners of keys/values, same size. */
  keysAlt: GPUBuffer;
  valuesAlt: GPUBuffer;
}

export class RadixSort {
  private readonly histogram: Kernel;
  private readonly scatter: Kernel;
  private readonly scan: PrefixScan;
  private hist: { blocks: number; hist: GPUBuffer; histScan: GPUBuffer } | null = null;
  private readonly paramBuffers: GPUBuffer[] = [];

  readonly mode: ScanSortMode;

  constructor(
    private readonly device: GPUDevice,
    mode?: ScanSortMode,
  ) {
    this.mode = mode ?? defaultScanSortMode(device);
    const serial = this.mode === 'serial';
    this.histogram = createKernel(device, { label: `radix-histogram[${this.mode}]`, code: serial ? radixHistogramSerialWgsl : radixHistogramWgsl });
    this.scatter = createKernel(device, { label: `radix-scatter[${this.mode}]`, code: serial ? radixScatterSerialWgsl : radixScatterWgsl });
    this.scan = new PrefixScan(device, this.mode);
  }

  private histFor(blocks: number) {
    if (!this.hist || this.hist.blocks < blocks) {
      this.hist?.hist.destroy();
      this.hist?.histScan.destroy();
      this.hist = {
        blocks,
        hist: createStorageBuffer(this.device, blocks * RADIX_BINS * 4, 'radix.hist'),
        histScan: createStorageBuffer(this.device, blocks * RADIX_BINS * 4, 'radix.histScan'),
      };
    }
    return this.hist;
  }

  private paramsFor(pass: number, shift: number, countIndex: number, blocks: number): GPUBuffer {
    while (this.paramBuffers.length <= pass) {
      this.paramBuffers.push(createUniformBuffer(this.device, 16, `radix.params[${this.paramBuffers.length}]`));
    }
    const b = this.paramBuffers[pass];
    this.device.queue.writeBuffer(b, 0, new Uint32Array([shift, countIndex, blocks, 0]));
    return b;
  }

  /**
   * Records a sort of the first `counts[countIndex]` (≤ capacity) pairs on bits [0, bits). Returns which buffers
   * hold the result: `keys`/`values` after an even number of passes, `keysAlt`/`valuesAlt` after an odd one.
   */
  encode(
    pass: GPUComputePassEncoder,
    buffers: SortBuffers,
    counts: GPUBuffer,
    countIndex: number,
    capacity: number,
    bits = 32,
  ): { keys: GPUBuffer; values: GPUBuffer } {
    const passes = Math.ceil(Math.min(32, Math.max(0, bits)) / 4);
    const blocks = Math.max(1, Math.ceil(capacity / RADIX_BLOCK));
    const { hist, histScan } = this.histFor(blocks);
    const [x, y] = workgroups2D(this.mode === 'serial' ? Math.ceil(blocks / 64) : blocks);
    let src = { keys: buffers.keys, values: buffers.values };
    let dst = { keys: buffers.keysAlt, values: buffers.valuesAlt };
    if (capacity === 0) return src;
    for (let p = 0; p < passes; p++) {
      const params = this.paramsFor(p, p * 4, countIndex, blocks);
      dispatchGroups(pass, this.histogram, this.histogram.bind([params, counts, src.keys, hist]), x, y);
      this.scan.encode(pass, hist, histScan, blocks * RADIX_BINS);
      dispatchGroups(
        pass,
        this.scatter,
        this.scatter.bind([params, counts, src.keys, src.values, histScan, dst.keys, dst.values]),
        x,
        y,
      );
      [src, dst] = [dst, src];
    }
    return src;
  }

  destroy(): void {
    this.hist?.hist.destroy();
    this.hist?.histScan.destroy();
    this.hist = null;
    for (const b of this.paramBuffers) b.destroy();
    this.paramBuffers.length = 0;
    this.scan.destroy();
  }
}
