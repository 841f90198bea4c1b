import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { workgroups2D } from '../gpu/dispatch';
import { createKernel, dispatchGroups, type Kernel } from '../gpu/kernel';
import { scanAddWgsl } from './kernels/scan-add';
import { SCAN_BLOCK_SIZE, scanBlocksWgsl } from './kernels/scan-blocks';

interface Level {
  n: number;
  blocks: number;
  params: GPUBuffer;
  sums: GPUBuffer;
  scannedSums: GPUBuffer;
}

/**
 * GPU exclusive prefix sum of u32 (wrapping on overflow), any length: blocks of 1024 are scanned in workgroups,
 * block totals are scanned recursively, then added back. Temporary buffers are cached per length.
 */
export class PrefixScan {
  private readonly blocks: Kernel;
  private readonly add: Kernel;
  private readonly plans = new Map<number, Level[]>();

  constructor(private readonly device: GPUDevice) {
    this.blocks = createKernel(device, { label: 'scan-blocks', code: scanBlocksWgsl });
    this.add = createKernel(device, { label: 'scan-add', code: scanAddWgsl });
  }

  private plan(n: number): Level[] {
    let levels = this.plans.get(n);
    if (levels) return levels;
    levels = [];
    let len = n;
    for (;;) {
      const blocks = Math.ceil(len / SCAN_BLOCK_SIZE);
      const params = createUniformBuffer(this.device, 16, `scan.params[${len}]`);
      this.device.queue.writeBuffer(params, 0, new Uint32Array([len, blocks, 0, 0]));
      levels.push({
        n: len,
        blocks,
        params,
        sums: createStorageBuffer(this.device, blocks * 4, `scan.sums[${len}]`),
        scannedSums: createStorageBuffer(this.device, blocks * 4, `scan.scanned[${len}]`),
      });
      if (blocks <= 1) break;
      len = blocks;
    }
    this.plans.set(n, levels);
    return levels;
  }

  /** Records `output[i] = Σ_{j<i} input[j]` for i < n into `pass`. input and output must differ. */
  encode(pass: GPUComputePassEncoder, input: GPUBuffer, output: GPUBuffer, n: number): void {
    if (n === 0) return;
    const levels = this.plan(n);
    const ins = [input, ...levels.slice(0, -1).map((l) => l.sums)];
    const outs = [output, ...levels.slice(0, -1).map((l) => l.scannedSums)];
    levels.forEach((level, i) => {
      const [x, y] = workgroups2D(level.blocks);
      dispatchGroups(pass, this.blocks, this.blocks.bind([level.params, ins[i], outs[i], level.sums]), x, y);
    });
    for (let i = levels.length - 2; i >= 0; i--) {
      const level = levels[i];
      const [x, y] = workgroups2D(level.blocks);
      dispatchGroups(pass, this.add, this.add.bind([level.params, level.scannedSums, outs[i]]), x, y);
    }
  }

  destroy(): void {
    for (const levels of this.plans.values()) {
      for (const l of levels) {
        l.params.destroy();
        l.sums.destroy();
        l.scannedSums.destroy();
      }
    }
    this.plans.clear();
  }
}
