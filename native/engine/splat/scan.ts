import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { workgroups2D } from '../gpu/dispatch';
import { createKernel, dispatchGroups, type Kernel } from '../gpu/kernel';
import { defaultScanSortMode, type ScanSortMode } from '../gpu/adapter-kind';
import { scanAddWgsl } from './kernels/scan-add';
import { scanAddSerialWgsl } from './kernels/scan-add-serial';
import { SCAN_BLOCK_SIZE, scanBlocksWgsl } from './kernels/scan-blocks';
import { scanBlocksSerialWgsl } from './kernels/scan-blocks-serial';

interface Level {
  capacity: number;
  params: GPUBuffer;
  sums: GPUBuffer;
  scannedSums: GPUBuffer;
}

function levelSizes(n: number): number[] {
  const sizes: number[] = [];
  let len = n;
  for (;;) {
    sizes.push(len);
    const blocks = Math.ceil(len / SCAN_BLOCK_SIZE);
    if (blocks <= 1) return sizes;
    len = blocks;
  }
}

/**
 * GPU exclusive prefix sum of u32 (wrapping on overflow), any length: blocks of 1024 are scanned in workgroups,
 * block totals are scanned recursively, then added back. Temporary buffers grow to the largest n seen.
 *
 * `mode`: 'parallel' (a workgroup per block, for GPUs) or 'serial' (an invocation per block, no barriers, for CPU
 * adapters); default by adapter. Same results.
 *
 * Its small uniform buffers are rewritten by each encode(), so within one queue submission all encode() calls
 * on one instance must use the same n (use one instance per call site).
 */
export class PrefixScan {
  private readonly blocks: Kernel;
  private readonly add: Kernel;
  private levels: Level[] = [];
  private capacity = 0;
  readonly mode: ScanSortMode;

  constructor(
    private readonly device: GPUDevice,
    mode?: ScanSortMode,
  ) {
    this.mode = mode ?? defaultScanSortMode(device);
    const serial = this.mode === 'serial';
    this.blocks = createKernel(device, { label: `scan-blocks[${this.mode}]`, code: serial ? scanBlocksSerialWgsl : scanBlocksWgsl });
    this.add = createKernel(device, { label: `scan-add[${this.mode}]`, code: serial ? scanAddSerialWgsl : scanAddWgsl });
  }

  /** Workgroups covering `blocks` blocks: one per block (parallel) or 64 blocks each (serial). */
  private grid(blocks: number): [number, number] {
    return workgroups2D(this.mode === 'serial' ? Math.ceil(blocks / 64) : blocks);
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.destroy();
    this.levels = levelSizes(n).map((len) => {
      const blocks = Math.ceil(len / SCAN_BLOCK_SIZE);
      return {
        capacity: len,
        params: createUniformBuffer(this.device, 16, `scan.params[${len}]`),
        sums: createStorageBuffer(this.device, blocks * 4, `scan.sums[${len}]`),
        scannedSums: createStorageBuffer(this.device, blocks * 4, `scan.scanned[${len}]`),
      };
    });
    this.capacity = n;
  }

  /** Records `output[i] = Σ_{j<i} input[j]` for i < n into `pass`. input and output must differ. */
  encode(pass: GPUComputePassEncoder, input: GPUBuffer, output: GPUBuffer, n: number): void {
    if (n === 0) return;
    this.ensure(n);
    const sizes = levelSizes(n);
    const levels = this.levels.slice(0, sizes.length);
    sizes.forEach((len, i) => {
      this.device.queue.writeBuffer(levels[i].params, 0, new Uint32Array([len, Math.ceil(len / SCAN_BLOCK_SIZE), 0, 0]));
    });
    const ins = [input, ...levels.slice(0, -1).map((l) => l.sums)];
    const outs = [output, ...levels.slice(0, -1).map((l) => l.scannedSums)];
    sizes.forEach((len, i) => {
      const [x, y] = this.grid(Math.ceil(len / SCAN_BLOCK_SIZE));
      dispatchGroups(pass, this.blocks, this.blocks.bind([levels[i].params, ins[i], outs[i], levels[i].sums]), x, y);
    });
    for (let i = sizes.length - 2; i >= 0; i--) {
      const [x, y] = this.grid(Math.ceil(sizes[i] / SCAN_BLOCK_SIZE));
      dispatchGroups(pass, this.add, this.add.bind([levels[i].params, levels[i].scannedSums, outs[i]]), x, y);
    }
  }

  destroy(): void {
    for (const l of this.levels) {
      l.params.destroy();
      l.sums.destroy();
      l.scannedSums.destroy();
    }
    this.levels = [];
    this.capacity = 0;
  }
}
