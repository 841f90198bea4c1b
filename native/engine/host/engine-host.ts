/**
 * EngineHost: the one interface the services host uses to reach the GPU engine, whatever runs it.
 *
 *  - `NodeEngineHost` (node-engine-host.ts): the engine in a Node child process on Dawn (npm `webgpu`) — web mode,
 *    CLI, tests, GPU servers.
 *  - `ChromiumEngineHost` (chromium-engine-host.ts): the engine in a Chromium page on `navigator.gpu`, reached over a
 *    MessagePort — Electron (a hidden window; dawn.node cannot read buffers back inside Electron's V8 memory cage).
 *
 * Both are `EngineClient`s over a different `EngineChannel`; `pickEngineHost` (pick-engine-host.ts) chooses per
 * runtime. GPU jobs reach the same engine through sessions (`EngineClient.openSession`, used by gpu-jobs.ts).
 */
import type { Camera } from '../splat/camera';
import {
  isEngineEvent,
  isEngineReply,
  type EngineErrorData,
  type EngineRequest,
  type EngineStartInfo,
  type RenderedImage,
  type RenderOptions,
  type SceneData,
  type SceneHandle,
} from './protocol';
import { encodeCallArgs, reviveEngineError } from './session-marshal';

export type { EngineStartInfo, RenderedImage, RenderOptions, SceneData, SceneHandle } from './protocol';

export type EngineHostKind = 'node' | 'chromium';

export interface EngineHostEvents {
  /** The GPU device was lost; scenes are gone. `start()` (or any call) creates a new device. */
  'device-lost': (info: { reason: string; message: string }) => void;
  /** Validation / out-of-memory errors the engine did not catch, reported after the request that caused them. */
  'gpu-errors': (messages: string[]) => void;
  /** The process or page hosting the engine went away (crash, kill, dispose). Pending calls have been rejected. */
  exit: (info: { reason: string }) => void;
}

export interface EngineHost {
  readonly kind: EngineHostKind;
  /** Starts the engine (process/page and GPU device) if needed; resolves with the adapter in use. */
  start(): Promise<EngineStartInfo>;
  loadScene(scene: SceneData): Promise<SceneHandle>;
  disposeScene(handle: SceneHandle): Promise<void>;
  /** Renders a scene (by value, or a handle from `loadScene`) and returns the requested images. */
  render(scene: SceneData | SceneHandle, camera: Camera, options?: RenderOptions): Promise<RenderedImage>;
  on<E extends keyof EngineHostEvents>(event: E, listener: EngineHostEvents[E]): () => void;
  /** Frees the GPU device and stops the process/page. Safe to call twice. */
  dispose(): Promise<void>;
}

/** An engine error re-created on the client side with its original class name. */
export class EngineError extends Error {
  constructor(data: EngineErrorData) {
    super(data.message);
    this.name = data.name;
  }
}

/** The process or page hosting the engine is gone. */
export class EngineHostExitedError extends Error {
  override readonly name = 'EngineHostExitedError';
}

/** A bidirectional message pipe to an engine server: a forked process, a MessagePort, a test bridge. */
export interface EngineChannel {
  post(message: EngineRequest): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the other side goes away on its own (exit, crash). */
  onClose(listener: (reason: string) => void): void;
  close(): void | Promise<void>;
}

/** Opens a channel to a freshly started engine server (spawn a process, load a page, …). */
export type ChannelFactory = () => Promise<EngineChannel>;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; op: string; callbacks?: ((...a: unknown[]) => unknown)[] };

/** The EngineHost over any channel: request ids, replies, events, restarts after an exit. */
export class EngineClient implements EngineHost {
  private channel: Promise<EngineChannel> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: { [E in keyof EngineHostEvents]: Set<EngineHostEvents[E]> } = {
    'device-lost': new Set(),
    'gpu-errors': new Set(),
    exit: new Set(),
  };
  private disposed = false;

  constructor(
    readonly kind: EngineHostKind,
    private readonly openChannel: ChannelFactory,
    private readonly requestTimeoutMs = 10 * 60_000,
  ) {}

  start(): Promise<EngineStartInfo> {
    return this.request({ op: 'start' }) as Promise<EngineStartInfo>;
  }

  loadScene(scene: SceneData): Promise<SceneHandle> {
    return this.request({ op: 'loadScene', scene }) as Promise<SceneHandle>;
  }

  async disposeScene(handle: SceneHandle): Promise<void> {
    await this.request({ op: 'disposeScene', sceneId: handle.sceneId });
  }

  render(scene: SceneData | SceneHandle, camera: Camera, options?: RenderOptions): Promise<RenderedImage> {
    const ref = isHandle(scene) ? { sceneId: scene.sceneId } : scene;
    // Camera and options are sent as plain data (a Float32Array viewMatrix clones fine).
    return this.request({ op: 'render', scene: ref, camera, options }) as Promise<RenderedImage>;
  }

  /** Opens a GPU job session on the engine (gpu-sessions.ts); resolves with its id. */
  async openSession(kind: string, init: unknown): Promise<number> {
    const { sessionId } = (await this.request({ op: 'openSession', kind, init }, 0)) as { sessionId: number };
    return sessionId;
  }

  async closeSession(sessionId: number): Promise<void> {
    await this.request({ op: 'closeSession', sessionId });
  }

  /**
   * Calls a session method. Callbacks among the arguments are called back as the engine reports; one that throws
   * (a cancelled job) cancels the call on the engine and rejects it with that error. AbortSignals cancel the call too.
   * No time limit: a call lasts as long as its work (a bake is minutes on a CPU adapter); cancellation ends it.
   */
  async callSession(sessionId: number, method: string, args: readonly unknown[]): Promise<unknown> {
    const { args: wire, fns, signals } = encodeCallArgs(args);
    const ch = await this.getChannel();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const cleanups: (() => void)[] = [];
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.pending.delete(id);
        for (const c of cleanups) c();
        fn();
      };
      const cancel = (error: Error) => {
        settle(() => reject(error));
        try {
          ch.post({ id: this.nextId++, op: 'cancelCall', callId: id });
        } catch {
          // The channel is gone; the call died with it.
        }
      };
      const callbacks = fns.map((fn) => (...a: unknown[]) => {
        if (settled) return;
        try {
          fn(...a);
        } catch (e) {
          cancel(e as Error);
        }
      });
      for (const s of signals) {
        if (s.aborted) return cancel(abortError(s));
        const onAbort = () => cancel(abortError(s));
        s.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => s.removeEventListener('abort', onAbort));
      }
      this.pending.set(id, { op: 'callSession', callbacks, resolve: (v) => settle(() => resolve(v)), reject: (e) => settle(() => reject(e)) });
      try {
        ch.post({ id, op: 'callSession', sessionId, method, args: wire });
      } catch (e) {
        settle(() => reject(e as Error));
      }
    });
  }

  on<E extends keyof EngineHostEvents>(event: E, listener: EngineHostEvents[E]): () => void {
    (this.listeners[event] as Set<EngineHostEvents[E]>).add(listener);
    return () => (this.listeners[event] as Set<EngineHostEvents[E]>).delete(listener);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const channel = this.channel;
    this.channel = null;
    if (!channel) return;
    const ch = await channel.catch(() => null);
    if (!ch) return;
    // Ask the engine to free its device, but never wait long for a stuck one.
    const id = this.nextId++;
    const done = new Promise<void>((resolve) => {
      this.pending.set(id, { resolve: () => resolve(), reject: () => resolve(), op: 'dispose' });
      setTimeout(resolve, 2000).unref?.();
    });
    try {
      ch.post({ id, op: 'dispose' });
      await done;
    } catch {
      // The channel is already gone.
    }
    this.pending.delete(id);
    await ch.close();
    this.failAll(new EngineHostExitedError('The engine host was disposed.'));
  }

  private getChannel(): Promise<EngineChannel> {
    if (this.disposed) return Promise.reject(new EngineHostExitedError('The engine host was disposed.'));
    if (!this.channel) {
      const opening = this.openChannel().then((ch) => {
        ch.onMessage((m) => this.onMessage(m));
        ch.onClose((reason) => {
          if (this.channel === opening) this.channel = null;
          this.failAll(new EngineHostExitedError(`The engine stopped: ${reason}`));
          for (const l of this.listeners.exit) l({ reason });
        });
        return ch;
      });
      opening.catch(() => {
        if (this.channel === opening) this.channel = null;
      });
      this.channel = opening;
    }
    return this.channel;
  }

  /** `timeoutMs` 0: no limit. */
  private async request(body: DistributiveOmit<EngineRequest, 'id'>, timeoutMs = this.requestTimeoutMs): Promise<unknown> {
    const ch = await this.getChannel();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              if (this.pending.delete(id)) reject(new Error(`The engine did not answer ${body.op} within ${Math.round(timeoutMs / 1000)} s.`));
            }, timeoutMs)
          : undefined;
      (timer as { unref?: () => void } | undefined)?.unref?.();
      this.pending.set(id, {
        op: body.op,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      try {
        ch.post({ ...body, id } as EngineRequest);
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(e as Error);
      }
    });
  }

  private onMessage(msg: unknown): void {
    if (isEngineReply(msg)) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(['DeviceLostError', 'RangeError', 'TypeError'].includes(msg.error.name) ? reviveEngineError(msg.error) : new EngineError(msg.error));
    } else if (isEngineEvent(msg)) {
      if (msg.event === 'callback') {
        const fn = this.pending.get(msg.callId)?.callbacks?.[msg.fn];
        if (fn) fn(...msg.args);
        return;
      }
      if (msg.event === 'device-lost') for (const l of this.listeners['device-lost']) l({ reason: msg.reason, message: msg.message });
      else if (msg.event === 'gpu-errors') for (const l of this.listeners['gpu-errors']) l(msg.messages);
    }
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('The call was aborted.'), { name: 'AbortError' });
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function isHandle(scene: SceneData | SceneHandle): scene is SceneHandle {
  return typeof (scene as SceneHandle).sceneId === 'number';
}
