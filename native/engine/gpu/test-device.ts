/**
 * Test-only: one GPU device per test file (Vitest runs each file in its own fork, so module state is per file).
 *
 *   const gpu = await testDevice();
 *   describe.skipIf(!gpu.device)('my kernel', () => { ... gpu.device! ... });
 *
 * Without an adapter: under CI (env CI=true) this throws, failing the file with the reason; elsewhere it prints the
 * reason and returns `{ device: null }` so suites skip. New buffers are sentinel-filled (see buffers.ts). The adapter
 * is logged under CI or with STUDIO_GPU_VERBOSE=1.
 */
import { afterAll } from 'vitest';
import { enableSentinelFill } from './buffers';
import type { EngineDevice } from './engine-device';
import { createNodeDevice } from './node-device';

export interface TestGpu {
  engine: EngineDevice | null;
  device: GPUDevice | null;
  skipReason: string;
}

let pending: Promise<TestGpu> | null = null;

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

async function open(): Promise<TestGpu> {
  // Silences "XDG_RUNTIME_DIR is invalid" from the Vulkan/EGL loaders; harmless when unset.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let engine: EngineDevice;
  try {
    engine = await createNodeDevice({ label: 'test-device' });
  } catch (e) {
    const reason = `no WebGPU adapter for engine tests: ${(e as Error).message}`;
    if (isCi()) throw new Error(`${reason}\n(CI=true: GPU tests must run in CI; install chromium's SwiftShader ICD)`);
    console.warn(`[test-device] SKIPPING GPU tests — ${reason}`);
    return { engine: null, device: null, skipReason: reason };
  }
  enableSentinelFill(engine.device);
  const a = engine.adapter;
  if (process.env.STUDIO_GPU_VERBOSE || isCi()) {
    console.info(`[test-device] ${a.vendor} ${a.architecture} ${a.description} backend=${a.backend} via=${a.via} fallback=${a.isFallbackAdapter}`);
  }
  afterAll(() => engine.destroy());
  return { engine, device: engine.device, skipReason: '' };
}

export function testDevice(): Promise<TestGpu> {
  pending ??= open();
  return pending;
}
