/**
 * The GPU job sessions: the GPU half of each GPU job (training, baking, video render and driving, photometric
 * refinement), as objects with a constructor `(engine, init)` and async methods over plain data. They run wherever
 * the engine runs — in the job's own Node process on Dawn (web mode, CLI), or in an engine page on Chromium's WebGPU
 * (the desktop app, where dawn.node cannot read buffers back) — reached through `GpuJobs` (gpu-jobs.ts). Only the
 * methods listed here can be called from outside.
 */
import type { EngineDevice } from '../gpu/engine-device';
import { BakeSession, type BakeSessionInit } from '../avatar/bake/bake-session';
import { RefineSession, type RefineSessionInit } from '../avatar/fitting/refine-session';
import { VideoFrameRenderer, type RenderSessionInit } from '../avatar/render/avatar-frame-renderer';
import { TrainSession, type TrainSessionInit } from '../avatar/trainer/train-session';

interface SessionKind<I, S> {
  create(engine: EngineDevice, init: I): S;
  methods: readonly (keyof S & string)[];
}

function kind<I, S extends { destroy(): void }>(create: (engine: EngineDevice, init: I) => S, methods: readonly (keyof S & string)[]): SessionKind<I, S> {
  return { create, methods };
}

export const GPU_SESSIONS = {
  train: kind<TrainSessionInit, TrainSession>((e, i) => new TrainSession(e, i), ['state', 'restore', 'checkpoint', 'train', 'loss', 'compare', 'fitEvaluation', 'readAvatar', 'headTuningBytes']),
  bake: kind<BakeSessionInit, BakeSession>((e, i) => new BakeSession(e, i), ['bake']),
  render: kind<RenderSessionInit, VideoFrameRenderer>((e, i) => new VideoFrameRenderer(e, i.data, i.triangles, i.vertexCount), ['render']),
  refine: kind<RefineSessionInit, RefineSession>((e, i) => new RefineSession(e, i), ['buildAppearance', 'refine']),
};

export type GpuSessionName = keyof typeof GPU_SESSIONS;
type Kinds = typeof GPU_SESSIONS;
export type SessionInit<K extends GpuSessionName> = Parameters<Kinds[K]['create']>[1];
type SessionObject<K extends GpuSessionName> = ReturnType<Kinds[K]['create']>;

/** A session as its caller sees it: its methods (all listed in GPU_SESSIONS, gpu-sessions.test checks), async, plus `close()`. */
export type GpuSession<K extends GpuSessionName> = {
  [M in Exclude<keyof SessionObject<K>, 'destroy'>]: SessionObject<K>[M] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
} & { close(): Promise<void> };

export function isGpuSessionName(name: unknown): name is GpuSessionName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(GPU_SESSIONS, name);
}

export function sessionMethods(name: GpuSessionName): readonly string[] {
  return GPU_SESSIONS[name].methods;
}

export function createSessionObject(name: GpuSessionName, engine: EngineDevice, init: unknown): Record<string, unknown> & { destroy(): void } {
  return (GPU_SESSIONS[name].create as unknown as (e: EngineDevice, i: unknown) => Record<string, unknown> & { destroy(): void })(engine, init);
}
