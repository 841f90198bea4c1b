import { describe, expect, it } from 'vitest';
import { createBufferFrom, createStorageBuffer } from '../gpu/buffers';
import { readU32 } from '../gpu/readback';
import { testDevice } from '../gpu/test-device';
import { stableSortPairs } from '../reference/sort';
import { exclusiveScanU32 } from '../reference/scan';
import { rng } from '../reference/test-scenes';
import { RadixSort } from './radix-sort';
import { PrefixScan } from './scan';

const gpu = await testDevice();

function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const MODES = ['parallel', 'serial'] as const;

describe.skipIf(!gpu.device).each(MODES)('GPU prefix scan (%s)', (mode) => {
  const cases: Array<[string, (n: number, r: () => number) => Uint32Array, number[]]> = [
    ['random small values', (n, r) => Uint32Array.from({ length: n }, () => Math.floor(r() * 64)), [1, 3, 255, 1024, 1025, 5000, 70_001]],
    ['all zeros', (n) => new Uint32Array(n), [1, 1023, 2048]],
    ['all ones', (n) => new Uint32Array(n).fill(1), [1024 * 1024 + 3]],
    ['wraps around 2^32', (n) => new Uint32Array(n).fill(0x40000000), [9]],
  ];
  for (const [name, make, sizes] of cases) {
    it(`matches the JS scan: ${name}`, async () => {
      const device = gpu.device!;
      const scan = new PrefixScan(device, mode);
      const r = rng(7);
      for (const n of sizes) {
        const input = make(n, r);
        const inBuf = createBufferFrom(device, input, 'scan.in');
        const outBuf = createStorageBuffer(device, n * 4, 'scan.out');
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        scan.encode(pass, inBuf, outBuf, n);
        pass.end();
        device.queue.submit([enc.finish()]);
        const got = await readU32(device, outBuf, 0, n);
        expect(firstMismatch(got, exclusiveScanU32(input).output), `n=${n}`).toBe(-1);
        inBuf.destroy();
        outBuf.destroy();
      }
      scan.destroy();
      expect(gpu.engine!.takeErrors()).toEqual([]);
    });
  }
});

describe.skipIf(!gpu.device).each(MODES)('GPU radix sort (%s)', (mode) => {
  async function gpuSort(keys: Uint32Array, bits: number, capacity = keys.length) {
    const device = gpu.device!;
    const n = keys.length;
    const values = Uint32Array.from({ length: n }, (_, i) => i);
    const sorter = new RadixSort(device, mode);
    const cap = Math.max(capacity, 1);
    const buffers = {
      keys: createStorageBuffer(device, cap * 4, 'k'),
      values: createStorageBuffer(device, cap * 4, 'v'),
      keysAlt: createStorageBuffer(device, cap * 4, 'k2'),
      valuesAlt: createStorageBuffer(device, cap * 4, 'v2'),
    };
    device.queue.writeBuffer(buffers.keys, 0, keys);
    device.queue.writeBuffer(buffers.values, 0, values);
    const counts = createBufferFrom(device, new Uint32Array([n, 0, 0, 0]), 'counts');
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const out = sorter.encode(pass, buffers, counts, 0, cap, bits);
    pass.end();
    device.queue.submit([enc.finish()]);
    const result = { keys: await readU32(device, out.keys, 0, n), values: await readU32(device, out.values, 0, n) };
    sorter.destroy();
    for (const b of Object.values(buffers)) b.destroy();
    counts.destroy();
    expect(gpu.engine!.takeErrors()).toEqual([]);
    return { result, expected: stableSortPairs(keys, values, n, bits) };
  }

  const r = rng(11);
  const cases: Array<[string, Uint32Array, number]> = [
    ['random 32-bit keys, n not a multiple of the block', Uint32Array.from({ length: 5003 }, () => Math.floor(r() * 2 ** 32)), 32],
    ['all keys equal (stability)', new Uint32Array(3000).fill(0xdeadbeef), 32],
    ['already sorted', Uint32Array.from({ length: 2050 }, (_, i) => i * 3), 32],
    ['reverse sorted', Uint32Array.from({ length: 2050 }, (_, i) => 4_000_000_000 - i), 32],
    ['few distinct keys (stability), 6 bits, odd pass count', Uint32Array.from({ length: 4097 }, () => Math.floor(r() * 5)), 6],
    ['float depths as keys', new Uint32Array(Float32Array.from({ length: 1500 }, () => 0.01 + r() * 100).buffer), 32],
    ['single key', new Uint32Array([42]), 32],
  ];
  for (const [name, keys, bits] of cases) {
    it(`matches a stable JS sort: ${name}`, async () => {
      const { result, expected } = await gpuSort(keys, bits);
      expect(firstMismatch(result.values, expected.values)).toBe(-1);
      expect(firstMismatch(result.keys, expected.keys)).toBe(-1);
    });
  }

  it('sorts only counts[i] keys when the capacity is larger', async () => {
    const keys = Uint32Array.from({ length: 700 }, () => Math.floor(r() * 1000));
    const { result, expected } = await gpuSort(keys, 16, 4096);
    expect(firstMismatch(result.values, expected.values)).toBe(-1);
  });

  it('handles an empty input', async () => {
    const { result } = await gpuSort(new Uint32Array(0), 32, 16);
    expect(result.keys.length).toBe(0);
  });
});
