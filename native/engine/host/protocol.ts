/**
 * The engine host wire protocol, shared by every host (Node child process, Chromium page) and the client in the
 * services host. Plain data only: everything here survives structured clone (Node's `serialization: 'advanced'`,
 * `postMessage`, Electron's MessagePortMain). Typed arrays travel as values (copied by the channel, or transferred
 * where the channel allows it).
 */
import type { AdapterReport } from '../gpu/engine-device';
import type { Camera } from '../splat/camera';
import type { GaussianData, ShDegree } from '../splat/scene';

/** A scene sent by value: the engine's `GaussianData` plus its SH degree (and feature width when features exist). */
export interface SceneData extends GaussianData {
  shDegree: ShDegree;
  featureDim?: number;
}

/** A scene kept on the engine's GPU between renders (from `loadScene`). Valid until disposed or the device is lost. */
export interface SceneHandle {
  readonly sceneId: number;
  readonly count: number;
}

export type RenderOutput = 'rgb' | 'alpha' | 'depth' | 'rgba8';

export interface RenderOptions {
  /** RGB background (default black). */
  background?: readonly [number, number, number];
  near?: number;
  /** Active SH degree ≤ the scene's. */
  shDegree?: number;
  /** Images to send back; default ['rgb', 'alpha']. 'rgba8' is sRGB-agnostic 8-bit RGBA (alpha = coverage). */
  outputs?: readonly RenderOutput[];
}

/** What `render` sends back: only the outputs asked for are present. */
export interface RenderedImage {
  width: number;
  height: number;
  rgb?: Float32Array; // H·W·3
  alpha?: Float32Array; // H·W
  depth?: Float32Array; // H·W
  rgba8?: Uint8Array; // H·W·4
  /** Milliseconds spent in the engine for this request (upload, render, readback). */
  ms: number;
}

export interface EngineStartInfo {
  adapter: AdapterReport;
  /** Kernel variants the renderer picked for this adapter ('rows'/'serial' on CPU adapters). */
  rasterMode: string;
  scanSortMode: string;
  /** A few device limits the UI and schedulers care about. */
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupSizeX: number };
}

export type EngineRequest =
  | { id: number; op: 'start' }
  | { id: number; op: 'loadScene'; scene: SceneData }
  | { id: number; op: 'disposeScene'; sceneId: number }
  | { id: number; op: 'render'; scene: SceneData | { sceneId: number }; camera: Camera; options?: RenderOptions }
  | { id: number; op: 'dispose' }
  /** Opens a GPU job session (gpu-sessions.ts) of `kind` with its serialisable `init`; replies `{ sessionId }`. */
  | { id: number; op: 'openSession'; kind: string; init: unknown }
  /** Calls one of a session's methods; functions and AbortSignals among `args` travel as markers (session-marshal.ts). */
  | { id: number; op: 'callSession'; sessionId: number; method: string; args: unknown[] }
  | { id: number; op: 'closeSession'; sessionId: number }
  /** Aborts the running call `callId` (handled at once, not queued behind it). */
  | { id: number; op: 'cancelCall'; callId: number };

export type EngineOp = EngineRequest['op'];

export interface EngineErrorData {
  /** The engine error class name: 'RangeError', 'CapacityError', 'DeviceLostError', 'NoAdapterError', 'Error', … */
  name: string;
  message: string;
}

export type EngineReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: EngineErrorData };

/** Unsolicited messages from the engine. */
export type EngineEvent =
  | { event: 'device-lost'; reason: string; message: string }
  | { event: 'gpu-errors'; messages: string[] }
  /** A session call invoked one of the callbacks it was given (`fn`: the callback's marker number). */
  | { event: 'callback'; callId: number; fn: number; args: unknown[] };

export type EngineMessage = EngineReply | EngineEvent;

export function isEngineReply(msg: unknown): msg is EngineReply {
  return typeof msg === 'object' && msg !== null && typeof (msg as { id?: unknown }).id === 'number' && typeof (msg as { ok?: unknown }).ok === 'boolean';
}

export function isEngineEvent(msg: unknown): msg is EngineEvent {
  return typeof msg === 'object' && msg !== null && typeof (msg as { event?: unknown }).event === 'string';
}
