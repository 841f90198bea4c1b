import { createStorageBuffer, createUniformBuffer, writeArray } from '../gpu/buffers';
import { assertDeviceAlive } from '../gpu/device-loss';
import { CapacityError } from '../gpu/errors';
import { checkEngineLimits } from '../gpu/limits';
import { isCpuDevice, type ScanSortMode } from '../gpu/adapter-kind';
import { createKernel, dispatchGroups, dispatchKernel, type Kernel } from '../gpu/kernel';
import { readU32 } from '../gpu/readback';
import { validateCamera, type Camera } from './camera';
import { depthOrderInitWgsl } from './kernels/depth-order-init';
import { emitIntersectionsWgsl } from './kernels/emit-intersections';
import { gatherTileCountsWgsl } from './kernels/gather-tile-counts';
import { intersectionCountWgsl } from './kernels/intersection-count';
import { projectWgsl } from './kernels/project';
import { rasterizeWgsl, type RasterMode } from './kernels/rasterize';
import { tileRangesWgsl } from './kernels/tile-ranges';
import { packRenderParams, RENDER_PARAMS_SIZE, tileGrid } from './params';
import { RadixSort } from './radix-sort';
import { PrefixScan } from './scan';
import type { GaussianScene } from './scene';

export const DEFAULT_NEAR = 0.01;
/** Bytes per ProjectedSplat (kernels/common.ts). */
export const PROJECTED_STRIDE = 48;

export interface ForwardOptions {
  near?: number;
  /** RGB colour (default black), a per-pixel Float32Array(H·W·3), or a GPU buffer holding H·W·3 f32. */
  background?: readonly [number, number, number] | Float32Array | GPUBuffer;
  /** Active SH degree ≤ scene.shDegree (training raises it over time). Default: the scene's degree. */
  shDegree?: number;
  /**
   * How the (tile, Gaussian) intersection buffers are sized:
   * - 'auto' (default): after the offsets scan, read the 16-byte counters to size them exactly (one blocking
   *   GPU→CPU sync per frame, never drops anything).
   * - 'adaptive' (training loops): no blocking read after the first frame; each frame's counters are read
   *   asynchronously and the buffers grow (1.5× the observed total) before a later frame once usage passes 90 %.
   *   A frame that did overflow drops its farthest pairs; `state.overflow` resolves true for it.
   * - a number: exactly that capacity, never read back; overflow drops the farthest pairs and sets `counters[3]`
   *   (check with `readCounters()`).
   */
  intersectionCapacity?: 'auto' | 'adaptive' | number;
}

export interface ForwardRendererOptions {
  /**
   * Rasteriser variant (kernels/rasterize.ts). Default: 'rows' on CPU/fallback adapters (SwiftShader, llvmpipe), where
   * barriers, workgroup memory and per-pixel loops dominate, 'shared' elsewhere. All produce the same result.
   */
  rasterMode?: RasterMode;
  /** Scan and radix-sort variant (radix-sort.ts). Default: 'serial' on CPU adapters, 'parallel' elsewhere. */
  scanSortMode?: ScanSortMode;
}


/**
 * Everything the forward pass produced, kept on the GPU for the backward pass. Valid until the next `render()` on
 * the same renderer (its buffers are reused). Per-Gaussian arrays are indexed by Gaussian id (0..N-1).
 */
export interface ForwardState {
  camera: Camera;
  width: number;
  height: number;
  tilesX: number;
  tilesY: number;
  numTiles: number;
  numGaussians: number;
  shDegree: number;
  shCoeffs: number;
  featureDim: number;
  near: number;
  /** RenderParams uniform (kernels/common.ts), reusable by backward kernels. */
  params: GPUBuffer;
  /** ProjectedSplat[N], 48 B each: mean2d (u, v), depth z, opacity σ(o), conic (a, b, c, –), colour (r, g, b, –). */
  projected: GPUBuffer;
  /** vec4u[N]: radius (px, 0 = culled), tiles touched, tile rect min (x | y<<16), max exclusive (x | y<<16). */
  tileInfo: GPUBuffer;
  /** u32[N]: Gaussian ids sorted by depth, ties by id; culled Gaussians last. */
  depthOrder: GPUBuffer;
  /** u32[N]: exclusive scan of tiles touched, in depth order (each Gaussian's first intersection slot). */
  tileOffsets: GPUBuffer;
  /** u32[capacity]: tile id of each intersection, sorted (by tile, then depth). */
  isectTiles: GPUBuffer;
  /** u32[capacity]: Gaussian id of each intersection in the same order ("sorted ids"). */
  isectGaussians: GPUBuffer;
  intersectionCapacity: number;
  /** vec2u[numTiles]: [start, end) of each tile's run in the sorted intersections. */
  tileRanges: GPUBuffer;
  /** u32[4]: N, total intersections, intersections used (≤ capacity), overflow flag. */
  counters: GPUBuffer;
  /** Known on the CPU in 'auto' mode (and the first 'adaptive' frame); otherwise null. */
  intersections: number | null;
  /**
   * Whether this frame dropped intersections: resolved at once in 'auto' mode (false), after an asynchronous
   * counters read in 'adaptive' mode; null for a fixed capacity (use readCounters()).
   */
  overflow: Promise<boolean> | null;
  /** vec4f[H·W]: rgb = C + T·background, a = 1 − T. Row-major, top row first. */
  color: GPUBuffer;
  /** vec4u[H·W]: bits of f32 depth D, bits of f32 final T, end of contributors in sorted order, contributor count. */
  aux: GPUBuffer;
  /** f32[H·W·F] blended features, or null when F = 0. */
  features: GPUBuffer | null;
  /** f32[H·W·3] background image when one was given, else null (the colour is in `params`). */
  backgroundImage: GPUBuffer | null;
}

interface Sized<T> {
  size: number;
  value: T;
}

function isGpuBuffer(x: unknown): x is GPUBuffer {
  return typeof x === 'object' && x !== null && 'mapAsync' in x;
}

/**
 * The forward renderer: project → depth sort → offsets scan → emit (tile, Gaussian) pairs → stable radix sort by
 * tile → tile ranges → 16×16 tile rasteriser. Keeps its buffers between frames and grows them as needed.
 */
export class ForwardRenderer {
  private readonly project: Kernel;
  private readonly depthInit: Kernel;
  private readonly gather: Kernel;
  private readonly isectCount: Kernel;
  private readonly emit: Kernel;
  private readonly ranges: Kernel;
  private readonly rasterizers = new Map<number, Kernel>();
  private readonly depthSort: RadixSort;
  private readonly tileSort: RadixSort;
  private readonly scan: PrefixScan;
  private readonly params: GPUBuffer;
  private readonly countParams: GPUBuffer;
  private readonly isectParams: GPUBuffer;
  private readonly emitParams: GPUBuffer;
  private readonly counters: GPUBuffer;
  private readonly dummy: GPUBuffer;
  private readonly dummyOut: GPUBuffer;
  private gaussians: Sized<Record<'projected' | 'tileInfo' | 'keys' | 'ids' | 'keysAlt' | 'idsAlt' | 'sortedCounts' | 'offsets', GPUBuffer>> | null = null;
  private isects: Sized<Record<'tiles' | 'gaussians' | 'tilesAlt' | 'gaussiansAlt', GPUBuffer>> | null = null;
  private pixels: Sized<{ color: GPUBuffer; aux: GPUBuffer }> | null = null;
  private featureBuf: Sized<GPUBuffer> | null = null;
  private bgBuf: Sized<GPUBuffer> | null = null;
  private rangeBuf: Sized<GPUBuffer> | null = null;

  readonly rasterMode: RasterMode;
  readonly scanSortMode: ScanSortMode;

  constructor(
    readonly device: GPUDevice,
    options: ForwardRendererOptions = {},
  ) {
    checkEngineLimits(device);
    const cpu = isCpuDevice(device);
    this.rasterMode = options.rasterMode ?? (cpu ? 'rows' : 'shared');
    this.scanSortMode = options.scanSortMode ?? (cpu ? 'serial' : 'parallel');
    this.project = createKernel(device, { label: 'project', code: projectWgsl });
    this.depthInit = createKernel(device, { label: 'depth-order-init', code: depthOrderInitWgsl });
    this.gather = createKernel(device, { label: 'gather-tile-counts', code: gatherTileCountsWgsl });
    this.isectCount = createKernel(device, { label: 'intersection-count', code: intersectionCountWgsl });
    this.emit = createKernel(device, { label: 'emit-intersections', code: emitIntersectionsWgsl });
    this.ranges = createKernel(device, { label: 'tile-ranges', code: tileRangesWgsl });
    this.depthSort = new RadixSort(device, this.scanSortMode);
    this.tileSort = new RadixSort(device, this.scanSortMode);
    this.scan = new PrefixScan(device, this.scanSortMode);
    this.params = createUniformBuffer(device, RENDER_PARAMS_SIZE, 'forward.params');
    this.countParams = createUniformBuffer(device, 16, 'forward.countParams');
    this.isectParams = createUniformBuffer(device, 16, 'forward.isectParams');
    this.emitParams = createUniformBuffer(device, 16, 'forward.emitParams');
    this.counters = createStorageBuffer(device, 16, 'forward.counters');
    this.dummy = createStorageBuffer(device, 16, 'forward.unusedInput');
    this.dummyOut = createStorageBuffer(device, 16, 'forward.unusedOutput');
  }

  private rasterizer(featureDim: number): Kernel {
    let k = this.rasterizers.get(featureDim);
    if (!k) {
      k = createKernel(this.device, { label: `rasterize[${this.rasterMode},F=${featureDim}]`, code: rasterizeWgsl(featureDim, this.rasterMode) });
      this.rasterizers.set(featureDim, k);
    }
    return k;
  }

  private ensureGaussianBuffers(n: number) {
    if (this.gaussians && this.gaussians.size >= n) return this.gaussians.value;
    if (this.gaussians) for (const b of Object.values(this.gaussians.value)) b.destroy();
    const size = Math.max(n, 256);
    const make = (bytes: number, name: string) => createStorageBuffer(this.device, size * bytes, `forward.${name}`);
    const value = {
      projected: make(PROJECTED_STRIDE, 'projected'),
      tileInfo: make(16, 'tileInfo'),
      keys: make(4, 'depthKeys'),
      ids: make(4, 'depthOrder'),
      keysAlt: make(4, 'depthKeysAlt'),
      idsAlt: make(4, 'depthOrderAlt'),
      sortedCounts: make(4, 'sortedTileCounts'),
      offsets: make(4, 'tileOffsets'),
    };
    this.gaussians = { size, value };
    return value;
  }

  /** Grows (auto mode, 25 % headroom) or, with `exact`, sets the intersection capacity. */
  private ensureIsectBuffers(m: number, exact = false) {
    if (this.isects && (exact ? this.isects.size === m : this.isects.size >= m)) return this.isects;
    if (this.isects) for (const b of Object.values(this.isects.value)) b.destroy();
    const size = exact ? m : Math.max(1024, Math.ceil(m * 1.25));
    const make = (name: string) => createStorageBuffer(this.device, size * 4, `forward.${name}`);
    this.isects = {
      size,
      value: { tiles: make('isectTiles'), gaussians: make('isectGaussians'), tilesAlt: make('isectTilesAlt'), gaussiansAlt: make('isectGaussiansAlt') },
    };
    return this.isects;
  }

  private ensurePixelBuffers(pixels: number, numTiles: number, featureDim: number) {
    if (!this.pixels || this.pixels.size < pixels) {
      if (this.pixels) for (const b of Object.values(this.pixels.value)) b.destroy();
      this.pixels = {
        size: pixels,
        value: {
          color: createStorageBuffer(this.device, pixels * 16, 'forward.color'),
          aux: createStorageBuffer(this.device, pixels * 16, 'forward.aux'),
        },
      };
    }
    if (featureDim > 0 && (!this.featureBuf || this.featureBuf.size < pixels * featureDim)) {
      this.featureBuf?.value.destroy();
      this.featureBuf = { size: pixels * featureDim, value: createStorageBuffer(this.device, pixels * featureDim * 4, 'forward.features') };
    }
    if (!this.rangeBuf || this.rangeBuf.size < numTiles) {
      this.rangeBuf?.value.destroy();
      this.rangeBuf = { size: numTiles, value: createStorageBuffer(this.device, numTiles * 8, 'forward.tileRanges') };
    }
    return { ...this.pixels.value, features: featureDim > 0 ? this.featureBuf!.value : null, ranges: this.rangeBuf.value };
  }

  private backgroundBuffer(bg: ForwardOptions['background'], pixels: number): { color: [number, number, number]; image: GPUBuffer | null } {
    if (bg === undefined) return { color: [0, 0, 0], image: null };
    if (isGpuBuffer(bg)) {
      if (bg.size < pixels * 12) throw new RangeError(`background buffer holds ${bg.size} bytes, need ${pixels * 12} (H·W·3 f32)`);
      return { color: [0, 0, 0], image: bg };
    }
    const isImage = bg instanceof Float32Array && bg.length === pixels * 3;
    if (!isImage && bg.length === 3) {
      if (![0, 1, 2].every((i) => Number.isFinite(bg[i]))) throw new RangeError('background colour must be finite');
      return { color: [bg[0], bg[1], bg[2]], image: null };
    }
    if (!isImage) {
      throw new RangeError(`background must be an RGB triple or Float32Array(H·W·3 = ${pixels * 3}), got length ${bg.length}`);
    }
    if (!this.bgBuf || this.bgBuf.size < pixels) {
      this.bgBuf?.value.destroy();
      this.bgBuf = { size: pixels, value: createStorageBuffer(this.device, pixels * 12, 'forward.background') };
    }
    writeArray(this.device, this.bgBuf.value, bg);
    return { color: [0, 0, 0], image: this.bgBuf.value };
  }

  private busy = false;
  /** 'adaptive' mode: whether one blocking frame has sized the buffers, and the size asked for by a later read. */
  private adaptiveSized = false;
  private adaptiveTarget = 0;

  /** Renders one frame. Not re-entrant: await the previous call (its uniforms and buffers are reused). */
  async render(scene: GaussianScene, camera: Camera, options: ForwardOptions = {}): Promise<ForwardState> {
    if (this.busy) throw new Error('ForwardRenderer.render() is not re-entrant; await the previous render first');
    this.busy = true;
    try {
      return await this.renderFrame(scene, camera, options);
    } finally {
      this.busy = false;
    }
  }

  private async renderFrame(scene: GaussianScene, camera: Camera, options: ForwardOptions): Promise<ForwardState> {
    const device = this.device;
    assertDeviceAlive(device);
    if (scene.device !== device) throw new Error('scene was created on a different GPUDevice');
    validateCamera(camera);
    const near = options.near ?? DEFAULT_NEAR;
    if (!(near > 0) || !Number.isFinite(near)) throw new RangeError(`near must be a finite number > 0, got ${near}`);
    const shDegree = options.shDegree ?? scene.shDegree;
    if (!(Number.isInteger(shDegree) && shDegree >= 0 && shDegree <= scene.shDegree)) {
      throw new RangeError(`active shDegree ${shDegree} must be an integer in [0, scene.shDegree = ${scene.shDegree}]`);
    }
    const capacityMode = options.intersectionCapacity ?? 'auto';
    if (capacityMode !== 'auto' && capacityMode !== 'adaptive' && !(Number.isInteger(capacityMode) && capacityMode >= 1)) {
      throw new RangeError(`intersectionCapacity must be 'auto', 'adaptive' or a positive integer, got ${capacityMode}`);
    }
    const blockingRead = capacityMode === 'auto' || (capacityMode === 'adaptive' && !this.adaptiveSized);
    const n = scene.count;
    if (n > scene.capacity) throw new CapacityError(`scene count ${n} exceeds its capacity ${scene.capacity}`);
    const { width, height } = camera;
    const pixels = width * height;
    const { tilesX, tilesY, numTiles } = tileGrid(width, height);
    const F = scene.featureDim;

    const g = this.ensureGaussianBuffers(n);
    const px = this.ensurePixelBuffers(pixels, numTiles, F);
    const bg = this.backgroundBuffer(options.background, pixels);
    // A fixed capacity is honoured exactly so overflow behaviour is predictable.
    let isects =
      typeof capacityMode === 'number'
        ? this.ensureIsectBuffers(capacityMode, true)
        : this.ensureIsectBuffers(capacityMode === 'adaptive' ? this.adaptiveTarget : 0);

    const writeParams = (capacity: number) => {
      device.queue.writeBuffer(
        this.params,
        0,
        packRenderParams({
          camera, near, numGaussians: n, shDegree, shCoeffs: scene.shCoeffs, featureDim: F,
          background: bg.color, backgroundImage: bg.image !== null, intersectionCapacity: capacity,
        }),
      );
      device.queue.writeBuffer(this.isectParams, 0, new Uint32Array([n, capacity, 0, 0]));
      device.queue.writeBuffer(this.emitParams, 0, new Uint32Array([n, capacity, tilesX, 0]));
    };
    writeParams(isects.size);
    device.queue.writeBuffer(this.countParams, 0, new Uint32Array([n, 0, 0, 0]));
    device.queue.writeBuffer(this.counters, 0, new Uint32Array([n, 0, 0, 0]));

    // Stage 1: project, depth sort, per-Gaussian intersection offsets and their total.
    let enc = device.createCommandEncoder({ label: 'forward.stage1' });
    let depthOrder = g.ids;
    if (n > 0) {
      const pass = enc.beginComputePass({ label: 'project+depth-sort+scan' });
      dispatchKernel(
        pass, this.project,
        this.project.bind([this.params, scene.means, scene.logScales, scene.rotations, scene.opacities, scene.sh, g.projected, g.tileInfo, g.keys]),
        n, 256,
      );
      dispatchKernel(pass, this.depthInit, this.depthInit.bind([this.countParams, g.ids]), n, 256);
      const sorted = this.depthSort.encode(pass, { keys: g.keys, values: g.ids, keysAlt: g.keysAlt, valuesAlt: g.idsAlt }, this.counters, 0, n, 32);
      depthOrder = sorted.values;
      dispatchKernel(pass, this.gather, this.gather.bind([this.countParams, depthOrder, g.tileInfo, g.sortedCounts]), n, 256);
      this.scan.encode(pass, g.sortedCounts, g.offsets, n);
      dispatchGroups(pass, this.isectCount, this.isectCount.bind([this.isectParams, g.sortedCounts, g.offsets, this.counters]), 1);
      pass.end();
    }

    let intersections: number | null = null;
    if (blockingRead && n > 0) {
      device.queue.submit([enc.finish()]);
      // The one readback of a frame: the intersection total sizes the key buffers and the sort.
      const counts = await readU32(device, this.counters, 0, 4);
      intersections = counts[1];
      if (intersections === 0xffffffff) throw new CapacityError('more than 2^32 tile intersections; reduce the image size or scene');
      if (intersections > isects.size) {
        isects = this.ensureIsectBuffers(intersections);
        writeParams(isects.size);
        // Re-derive counters[2]/[3] for the new capacity (cheap, one invocation).
        enc = device.createCommandEncoder({ label: 'forward.recount' });
        const pass = enc.beginComputePass();
        dispatchGroups(pass, this.isectCount, this.isectCount.bind([this.isectParams, g.sortedCounts, g.offsets, this.counters]), 1);
        pass.end();
        device.queue.submit([enc.finish()]);
      }
      enc = device.createCommandEncoder({ label: 'forward.stage2' });
    } else if (blockingRead) {
      intersections = 0;
    }
    if (capacityMode === 'adaptive' && blockingRead) this.adaptiveSized = true;

    // Stage 2: emit pairs, sort by tile, tile ranges, rasterise.
    const cap = isects.size;
    const iv = isects.value;
    enc.clearBuffer(px.ranges, 0, numTiles * 8);
    let sortedIsect = { keys: iv.tiles, values: iv.gaussians };
    {
      const pass = enc.beginComputePass({ label: 'emit+tile-sort+raster' });
      if (n > 0) {
        dispatchKernel(pass, this.emit, this.emit.bind([this.emitParams, depthOrder, g.tileInfo, g.offsets, iv.tiles, iv.gaussians]), n, 256);
        const tileBits = Math.ceil(Math.log2(numTiles));
        // In 'auto' mode the count is known, so the sort's grid covers it exactly; otherwise the capacity.
        const sortCapacity = intersections === null ? cap : Math.max(1, intersections);
        sortedIsect = this.tileSort.encode(pass, { keys: iv.tiles, values: iv.gaussians, keysAlt: iv.tilesAlt, valuesAlt: iv.gaussiansAlt }, this.counters, 2, sortCapacity, tileBits);
        const m = intersections ?? cap;
        dispatchKernel(pass, this.ranges, this.ranges.bind([this.counters, sortedIsect.keys, px.ranges]), m, 256);
      }
      const raster = this.rasterizer(F);
      dispatchGroups(
        pass, raster,
        raster.bind([
          this.params, px.ranges, sortedIsect.values, g.projected, scene.features ?? this.dummy,
          bg.image ?? this.dummy, px.color, px.aux, px.features ?? this.dummyOut,
        ]),
        tilesX, tilesY,
      );
      pass.end();
    }
    device.queue.submit([enc.finish()]);

    let overflow: Promise<boolean> | null = null;
    if (blockingRead) {
      overflow = Promise.resolve(false);
    } else if (capacityMode === 'adaptive') {
      // Queued now, so it copies this frame's counters before a later frame rewrites them.
      const counts = readU32(device, this.counters, 0, 4);
      overflow = counts.then((c) => {
        if (c[1] > 0.9 * cap) this.adaptiveTarget = Math.max(this.adaptiveTarget, Math.ceil(c[1] * 1.5));
        return c[3] !== 0;
      });
      overflow.catch(() => undefined); // device loss: the caller sees it if it awaits; never unhandled
    }

    return {
      camera, width, height, tilesX, tilesY, numTiles, numGaussians: n, shDegree, shCoeffs: scene.shCoeffs,
      featureDim: F, near, params: this.params, projected: g.projected, tileInfo: g.tileInfo, depthOrder,
      tileOffsets: g.offsets, isectTiles: sortedIsect.keys, isectGaussians: sortedIsect.values, intersectionCapacity: cap,
      tileRanges: px.ranges, counters: this.counters, intersections, overflow, color: px.color, aux: px.aux,
      features: px.features, backgroundImage: bg.image,
    };
  }

  destroy(): void {
    const all: GPUBuffer[] = [this.params, this.countParams, this.isectParams, this.emitParams, this.counters, this.dummy, this.dummyOut];
    if (this.gaussians) all.push(...Object.values(this.gaussians.value));
    if (this.isects) all.push(...Object.values(this.isects.value));
    if (this.pixels) all.push(...Object.values(this.pixels.value));
    for (const s of [this.featureBuf, this.bgBuf, this.rangeBuf]) if (s) all.push(s.value);
    for (const b of all) b.destroy();
    this.depthSort.destroy();
    this.tileSort.destroy();
    this.scan.destroy();
  }
}

/** Reads counters [N, total intersections, used, overflow] (a readback; for checks, not per frame). */
export async function readCounters(device: GPUDevice, state: ForwardState) {
  const c = await readU32(device, state.counters, 0, 4);
  return { numGaussians: c[0], intersections: c[1], used: c[2], overflow: c[3] !== 0 };
}

