/**
 * Node-only: a GPUDevice from dawn.node (npm `webgpu`). The only engine module importing `webgpu` / `node:*`.
 *
 * Adapter order ('auto'): the platform's native backend (a real GPU), then Dawn's OpenGL ES backend on Mesa llvmpipe
 * in compatibility mode (CPU), then SwiftShader Vulkan (CPU). Of the two CPU adapters llvmpipe is the faster by
 * measurement (`CPU_ADAPTER_MEASUREMENT`) and passes the same kernel tests; SwiftShader remains the fallback where
 * Mesa's EGL/GLES is not installed. `STUDIO_GPU_ADAPTER` (default | swiftshader | opengles | auto) overrides the choice.
 *
 * VK_ICD_FILENAMES: the Vulkan loader reads it when a Vulkan instance is created, and each `create()` makes a new
 * Dawn instance, so setting it in-process before `create()` works even after an earlier instance found nothing
 * (measured with webgpu 0.6.2 on Debian 12). We set it only around the SwiftShader attempt and restore it after.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { create } from 'webgpu';
import { adapterReport, wrapDevice, type EngineDevice } from './engine-device';
import { NoAdapterError } from './errors';
import { engineDeviceLimits } from './limits';

export type AdapterChoice = 'auto' | 'default' | 'swiftshader' | 'opengles';

/**
 * Why 'auto' prefers llvmpipe to SwiftShader on a machine without a GPU: `npm run bench:train-profile` (one training
 * step of the synthetic avatar at the preview preset, 128 px, 3062 Gaussians, 2 cores, medians) with the CPU kernel
 * variants on each — re-measure and update when the kernels change.
 */
export const CPU_ADAPTER_MEASUREMENT = 'a preview training step takes 117 ms on llvmpipe against 271 ms on SwiftShader (bench/train-profile, 2 cores)';

export interface NodeDeviceOptions {
  /** Which adapter to use; default: env STUDIO_GPU_ADAPTER, else 'auto'. */
  adapter?: AdapterChoice;
  powerPreference?: GPUPowerPreference;
  /** Path of a SwiftShader Vulkan ICD json; default: env STUDIO_SWIFTSHADER_ICD, else the usual Chromium paths. */
  swiftshaderIcd?: string;
  /**
   * Extra dawn.node options (e.g. 'enable-dawn-features=dump_shaders'); default: env STUDIO_DAWN_OPTIONS, split on
   * ';' (Dawn's toggle lists use commas).
   */
  dawnOptions?: string[];
  label?: string;
}

const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

const INSTALL_HINT =
  'Install a GPU driver with Vulkan/Metal/D3D12 support, or a CPU fallback: on Debian/Ubuntu `apt-get install chromium` ' +
  '(provides /usr/lib/chromium/vk_swiftshader_icd.json for SwiftShader) or `apt-get install libegl1 libgles2 libgl1-mesa-dri` ' +
  '(Mesa llvmpipe for the OpenGL ES backend). Select one with STUDIO_GPU_ADAPTER=swiftshader|opengles.';

// dawn.node keeps the process alive while a GPU object is referenced, so we hold only the one that produced a device.
const liveInstances = new Set<GPU>();

function nativeBackend(): string {
  switch (process.platform) {
    case 'darwin':
      return 'metal';
    case 'win32':
      return 'd3d12';
    default:
      return 'vulkan';
  }
}

function parseChoice(value: string | undefined): AdapterChoice {
  if (!value) return 'auto';
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === 'default' || v === 'swiftshader' || v === 'opengles') return v;
  if (v === 'gles' || v === 'opengl' || v === 'llvmpipe') return 'opengles';
  throw new Error(`STUDIO_GPU_ADAPTER=${value} is not one of auto, default, swiftshader, opengles`);
}

interface Attempt {
  via: Exclude<AdapterChoice, 'auto'>;
  backend: string;
  env: Record<string, string>;
  adapterOptions: GPURequestAdapterOptions;
  featureLevel: 'core' | 'compatibility';
}

function attemptsFor(choice: AdapterChoice, options: NodeDeviceOptions, failures: string[]): Attempt[] {
  const out: Attempt[] = [];
  const powerPreference = options.powerPreference ?? 'high-performance';
  if (choice === 'auto' || choice === 'default') {
    out.push({ via: 'default', backend: nativeBackend(), env: {}, adapterOptions: { powerPreference }, featureLevel: 'core' });
  }
  if (choice === 'auto' || choice === 'opengles') {
    out.push({
      via: 'opengles',
      backend: 'opengles',
      env: { EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' },
      adapterOptions: { featureLevel: 'compatibility' },
      featureLevel: 'compatibility',
    });
  }
  if (choice === 'auto' || choice === 'swiftshader') {
    // An explicit ICD (option or env) is the only candidate: a wrong path should fail, not silently fall back.
    const explicit = options.swiftshaderIcd ?? process.env.STUDIO_SWIFTSHADER_ICD;
    const candidates = explicit ? [explicit] : SWIFTSHADER_ICDS;
    const icd = candidates.find((p) => existsSync(p));
    if (icd) {
      out.push({
        via: 'swiftshader',
        backend: 'vulkan',
        env: { VK_ICD_FILENAMES: icd, VK_DRIVER_FILES: icd },
        adapterOptions: { forceFallbackAdapter: true },
        featureLevel: 'core',
      });
    } else {
      failures.push(`swiftshader: no SwiftShader ICD json found (looked at ${candidates.join(', ')})`);
    }
  }
  return out;
}

/** Why the adapter that answered was chosen, in words (Settings ▸ About, bench JSON). */
export function adapterChoiceReason(choice: AdapterChoice, via: string, backend: string, failures: readonly string[], fromCaller: boolean): string {
  if (choice !== 'auto') return fromCaller ? `Asked for by the caller (${choice}).` : `Chosen by STUDIO_GPU_ADAPTER=${choice}.`;
  const isCpu = via !== 'default';
  if (!isCpu) return `The GPU, through ${backend}.`;
  const noGpu = 'No GPU adapter was found';
  if (via === 'opengles') return `${noGpu}; Mesa llvmpipe (OpenGL ES) is the faster CPU adapter: ${CPU_ADAPTER_MEASUREMENT}.`;
  const gl = failures.find((f) => f.startsWith('opengles'));
  return `${noGpu}, and Mesa llvmpipe (the faster CPU adapter) could not start${gl ? ` (${gl.replace(/^opengles \(opengles\): /, '')})` : ''}; SwiftShader, Vulkan on the CPU. Install Mesa's EGL and GLES (Debian: libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri) for faster training.`;
}

async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function createNodeDevice(options: NodeDeviceOptions = {}): Promise<EngineDevice> {
  // The Vulkan WSI layer prints "XDG_RUNTIME_DIR is invalid" on every adapter probe without it; Dawn never presents.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  const choice = options.adapter ?? parseChoice(process.env.STUDIO_GPU_ADAPTER);
  const failures: string[] = [];
  const dawnOptions = options.dawnOptions ?? (process.env.STUDIO_DAWN_OPTIONS ?? '').split(';').filter((o) => o.trim() !== '');
  for (const attempt of attemptsFor(choice, options, failures)) {
    const got = await withEnv(attempt.env, async () => {
      let gpu: GPU;
      try {
        gpu = create([`backend=${attempt.backend}`, ...dawnOptions]);
      } catch (e) {
        failures.push(`${attempt.via} (${attempt.backend}): ${(e as Error).message}`);
        return null;
      }
      const adapter = await gpu.requestAdapter(attempt.adapterOptions).catch((e: Error) => {
        failures.push(`${attempt.via} (${attempt.backend}): ${e.message}`);
        return null;
      });
      if (!adapter) {
        if (!failures.some((f) => f.startsWith(attempt.via))) failures.push(`${attempt.via} (${attempt.backend}): no adapter`);
        return null;
      }
      return { gpu, adapter };
    });
    if (!got) continue;
    const { gpu, adapter } = got;
    const requiredLimits = engineDeviceLimits(adapter);
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ label: options.label ?? 'studio-engine', requiredLimits });
    } catch (e) {
      failures.push(`${attempt.via}: requestDevice failed: ${(e as Error).message}`);
      continue;
    }
    liveInstances.add(gpu);
    const report = adapterReport(adapter.info, attempt.backend, attempt.via, attempt.featureLevel, adapterChoiceReason(choice, attempt.via, attempt.backend, failures, options.adapter !== undefined));
    return wrapDevice(device, report, () => liveInstances.delete(gpu));
  }
  throw new NoAdapterError(failures.length ? failures : [`${choice}: nothing to try`], INSTALL_HINT);
}
