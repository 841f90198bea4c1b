/**
 * The engine side of the host protocol, platform-neutral: it only needs a way to create an `EngineDevice`
 * (dawn.node in a Node child process, `navigator.gpu` in a Chromium page) and a way to send messages. Requests run
 * one at a time, in arrival order, so replies come back in order and the GPU is never shared between two renders.
 */
import type { EngineDevice } from '../gpu/engine-device';
import { ForwardRenderer, GaussianScene, readForwardImages, validateCamera, type Camera } from '../splat/index';
import type { ShDegree } from '../splat/scene';
import { raceDeviceLoss } from '../gpu/device-loss';
import { createSessionObject, isGpuSessionName, sessionMethods, type GpuSessionName } from './gpu-sessions';
import type { EngineErrorData, EngineMessage, EngineRequest, EngineStartInfo, RenderedImage, RenderOptions, RenderOutput, SceneData, SceneHandle } from './protocol';
import { decodeCallArgs } from './session-marshal';

export interface EngineServerOptions {
  createDevice: () => Promise<EngineDevice>;
  /** Sends a message to the client; `transfer` lists buffers that may be moved instead of copied. */
  send: (message: EngineMessage, transfer: ArrayBuffer[]) => void;
  /** Whether replies may transfer their image buffers (false where the channel cannot, e.g. to MessagePortMain). */
  transfer?: boolean;
}

const OUTPUTS: readonly RenderOutput[] = ['rgb', 'alpha', 'depth', 'rgba8'];
const PARAM_FLOATS = { means: 3, logScales: 3, rotations: 4, opacities: 1 } as const;

export class EngineServer {
  private engine: EngineDevice | null = null;
  private renderer: ForwardRenderer | null = null;
  private readonly scenes = new Map<number, GaussianScene>();
  private nextSceneId = 1;
  private queue: Promise<void> = Promise.resolve();
  private stopLost: (() => void) | null = null;
  private readonly sessions = new Map<number, { kind: GpuSessionName; obj: Record<string, unknown> & { destroy(): void } }>();
  private nextSessionId = 1;
  /** Running session calls by request id, for `cancelCall`. */
  private readonly calls = new Map<number, AbortController>();

  constructor(private readonly opts: EngineServerOptions) {}

  /** Handles one incoming message (anything; malformed requests get an error reply when they carry an id). */
  handle(message: unknown): Promise<void> {
    // A cancel must reach the call it cancels, which is what the queue is waiting on.
    if ((message as { op?: unknown } | null)?.op === 'cancelCall') {
      this.calls.get((message as { callId: number }).callId)?.abort();
      return Promise.resolve();
    }
    const run = () => this.run(message);
    this.queue = this.queue.then(run, run);
    return this.queue;
  }

  private async run(message: unknown): Promise<void> {
    const id = typeof (message as { id?: unknown } | null)?.id === 'number' ? (message as { id: number }).id : null;
    if (id === null) return;
    const req = message as EngineRequest;
    try {
      const { result, transfer } = await this.execute(req);
      this.opts.send({ id, ok: true, result }, this.opts.transfer ? transfer : []);
    } catch (e) {
      this.opts.send({ id, ok: false, error: errorData(e) }, []);
    }
    const errors = this.engine?.takeErrors() ?? [];
    if (errors.length) this.opts.send({ event: 'gpu-errors', messages: errors }, []);
  }

  private async execute(req: EngineRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
    switch (req.op) {
      case 'start':
        return { result: await this.startInfo(), transfer: [] };
      case 'loadScene': {
        const engine = await this.ensureDevice();
        const scene = uploadScene(engine.device, req.scene);
        const sceneId = this.nextSceneId++;
        this.scenes.set(sceneId, scene);
        const handle: SceneHandle = { sceneId, count: scene.count };
        return { result: handle, transfer: [] };
      }
      case 'disposeScene': {
        this.scenes.get(req.sceneId)?.destroy();
        this.scenes.delete(req.sceneId);
        return { result: null, transfer: [] };
      }
      case 'render':
        return this.render(req.scene, req.camera, req.options ?? {});
      case 'dispose':
        this.teardown();
        return { result: null, transfer: [] };
      case 'openSession': {
        if (!isGpuSessionName(req.kind)) throw new TypeError(`Unknown GPU session kind “${String(req.kind)}”.`);
        const engine = await this.ensureDevice();
        const obj = createSessionObject(req.kind, engine, req.init);
        const sessionId = this.nextSessionId++;
        this.sessions.set(sessionId, { kind: req.kind, obj });
        return { result: { sessionId }, transfer: [] };
      }
      case 'callSession':
        return { result: await this.callSession(req.id, req.sessionId, req.method, req.args), transfer: [] };
      case 'closeSession': {
        this.sessions.get(req.sessionId)?.obj.destroy();
        this.sessions.delete(req.sessionId);
        return { result: null, transfer: [] };
      }
      default:
        throw new TypeError(`Unknown engine request “${String((req as { op?: unknown }).op)}”.`);
    }
  }

  private async callSession(callId: number, sessionId: number, method: string, args: unknown): Promise<unknown> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new RangeError(`No GPU session ${sessionId} on this engine (closed, or lost with the device).`);
    if (!sessionMethods(session.kind).includes(method)) throw new TypeError(`A ${session.kind} session has no method “${String(method)}”.`);
    if (!Array.isArray(args)) throw new TypeError('session call arguments must be an array');
    const abort = new AbortController();
    this.calls.set(callId, abort);
    try {
      const live = decodeCallArgs(args, (fn, a) => this.opts.send({ event: 'callback', callId, fn, args: a }, []), abort.signal);
      const fn = session.obj[method] as (...a: unknown[]) => unknown;
      return await raceDeviceLoss(this.engine!.device, Promise.resolve().then(() => fn.apply(session.obj, live)));
    } finally {
      this.calls.delete(callId);
    }
  }

  private async startInfo(): Promise<EngineStartInfo> {
    const engine = await this.ensureDevice();
    const renderer = this.renderer!;
    const l = engine.device.limits;
    return {
      adapter: engine.adapter,
      rasterMode: renderer.rasterMode,
      scanSortMode: renderer.scanSortMode,
      limits: { maxBufferSize: l.maxBufferSize, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX },
    };
  }

  private async render(sceneRef: SceneData | { sceneId: number }, camera: Camera, options: RenderOptions): Promise<{ result: RenderedImage; transfer: ArrayBuffer[] }> {
    const started = performance.now();
    validateCamera(camera);
    const outputs = options.outputs ?? ['rgb', 'alpha'];
    for (const o of outputs) if (!OUTPUTS.includes(o)) throw new RangeError(`Unknown render output “${String(o)}” (expected ${OUTPUTS.join(', ')}).`);
    if (options.background !== undefined && (!Array.isArray(options.background) || options.background.length !== 3 || !options.background.every(Number.isFinite))) {
      throw new RangeError('background must be three finite numbers');
    }
    const engine = await this.ensureDevice();
    let scene: GaussianScene;
    let temporary = false;
    if (typeof (sceneRef as { sceneId?: unknown }).sceneId === 'number') {
      const found = this.scenes.get((sceneRef as { sceneId: number }).sceneId);
      if (!found) throw new RangeError(`No scene ${(sceneRef as { sceneId: number }).sceneId} on this engine (disposed, or lost with the device).`);
      scene = found;
    } else {
      scene = uploadScene(engine.device, sceneRef as SceneData);
      temporary = true;
    }
    try {
      const state = await this.renderer!.render(scene, camera, {
        background: options.background ? ([options.background[0], options.background[1], options.background[2]] as [number, number, number]) : undefined,
        near: options.near,
        shDegree: options.shDegree,
      });
      const img = await readForwardImages(engine.device, state);
      const out: RenderedImage = { width: img.width, height: img.height, ms: 0 };
      const transfer: ArrayBuffer[] = [];
      if (outputs.includes('rgb')) transfer.push((out.rgb = img.rgb).buffer as ArrayBuffer);
      if (outputs.includes('alpha')) transfer.push((out.alpha = img.alpha).buffer as ArrayBuffer);
      if (outputs.includes('depth')) transfer.push((out.depth = img.depth).buffer as ArrayBuffer);
      if (outputs.includes('rgba8')) transfer.push((out.rgba8 = toRgba8(img.rgb, img.alpha)).buffer as ArrayBuffer);
      out.ms = performance.now() - started;
      return { result: out, transfer };
    } finally {
      if (temporary) scene.destroy();
    }
  }

  private async ensureDevice(): Promise<EngineDevice> {
    if (this.engine) return this.engine;
    const engine = await this.opts.createDevice();
    this.engine = engine;
    this.renderer = new ForwardRenderer(engine.device);
    this.stopLost = engine.onLost((err) => {
      if (this.engine !== engine) return;
      // Everything on the lost device is gone; the next request creates a new device.
      this.engine = null;
      this.renderer = null;
      this.scenes.clear();
      this.sessions.clear();
      this.opts.send({ event: 'device-lost', reason: err.reason, message: err.message }, []);
    });
    return engine;
  }

  private teardown(): void {
    this.stopLost?.();
    this.stopLost = null;
    for (const s of this.scenes.values()) s.destroy();
    this.scenes.clear();
    for (const s of this.sessions.values()) s.obj.destroy();
    this.sessions.clear();
    this.renderer?.destroy();
    this.renderer = null;
    this.engine?.destroy();
    this.engine = null;
  }
}

function uploadScene(device: GPUDevice, data: SceneData): GaussianScene {
  if (!data || typeof data !== 'object') throw new TypeError('scene must be an object');
  const { count, shDegree } = data;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`scene count must be a non-negative integer, got ${count}`);
  if (![0, 1, 2, 3].includes(shDegree)) throw new RangeError(`scene shDegree must be 0..3, got ${shDegree}`);
  for (const [name, per] of Object.entries(PARAM_FLOATS)) {
    const arr = (data as unknown as Record<string, unknown>)[name];
    if (!(arr instanceof Float32Array)) throw new TypeError(`scene.${name} must be a Float32Array`);
    if (arr.length < count * per) throw new RangeError(`scene.${name} has ${arr.length} values, needs ${count * per}`);
  }
  const k = (shDegree + 1) * (shDegree + 1);
  if (!(data.sh instanceof Float32Array) || data.sh.length < count * k * 3) throw new RangeError(`scene.sh needs ${count * k * 3} values (SH degree ${shDegree})`);
  const featureDim = data.featureDim ?? 0;
  if (featureDim > 0 && (!(data.features instanceof Float32Array) || data.features.length < count * featureDim)) {
    throw new RangeError(`scene.features needs ${count * featureDim} values`);
  }
  return GaussianScene.fromData(device, data, { shDegree: shDegree as ShDegree, featureDim });
}

/** Float RGB + coverage → 8-bit RGBA (values clamped to [0, 1], rounded). */
export function toRgba8(rgb: Float32Array, alpha: Float32Array): Uint8Array {
  const n = alpha.length;
  const out = new Uint8Array(n * 4);
  const q = (v: number) => Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
  for (let i = 0; i < n; i++) {
    out[i * 4] = q(rgb[i * 3]!);
    out[i * 4 + 1] = q(rgb[i * 3 + 1]!);
    out[i * 4 + 2] = q(rgb[i * 3 + 2]!);
    out[i * 4 + 3] = q(alpha[i]!);
  }
  return out;
}

function errorData(e: unknown): EngineErrorData {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}
