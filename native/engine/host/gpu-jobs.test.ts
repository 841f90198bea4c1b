/**
 * GPU job sessions in process (`localGpuJobs`) and over a channel to an engine server (`remoteGpuJobs`, here an
 * in-memory structured-clone channel to an `EngineServer` on the test device — the Chromium page runs the same
 * server; e2e/electron/gpu-jobs-on-chromium.spec.ts runs the jobs there). Both must give the same results, report the
 * same progress, stop when a progress callback throws, and revive the error classes jobs test for.
 */
import { describe, expect, it } from 'vitest';
import { BakeSession } from '../avatar/bake/bake-session';
import { RefineSession } from '../avatar/fitting/refine-session';
import { canonicalFace } from '../avatar/open-head/build';
import { proceduralExpressionBasis } from '../avatar/open-head/procedural-expressions';
import { openHeadFor, type StoredExpressionSpace } from '../avatar/open-head/stored-space';
import { VideoFrameRenderer } from '../avatar/render/avatar-frame-renderer';
import { TrainSession } from '../avatar/trainer/train-session';
import { randomCamera, randomHeadParams, uvAvatar, proceduralTexture } from '../avatar/trainer/test-fixtures';
import { posedVertices } from '../avatar/trainer/frames';
import { DeviceLostError } from '../gpu/errors';
import { testDevice } from '../gpu/test-device';
import { EngineClient, type EngineChannel } from './engine-host';
import { EngineServer } from './engine-server';
import { localGpuJobs, remoteGpuJobs, type GpuJobs } from './gpu-jobs';
import { GPU_SESSIONS } from './gpu-sessions';
import { decodeCallArgs, encodeCallArgs } from './session-marshal';

const gpu = await testDevice();

function publicMethods(cls: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(cls.prototype).filter((m) => m !== 'constructor' && m !== 'destroy' && typeof (cls.prototype as Record<string, unknown>)[m] === 'function');
}

/** A client ↔ server pair over structured clone, as a MessagePort would carry it. The server shares the test device. */
function inMemoryRemote(): { jobs: GpuJobs; client: EngineClient; crash(reason: string): void } {
  let toClient: (m: unknown) => void = () => undefined;
  let onClose: (reason: string) => void = () => undefined;
  const server = new EngineServer({
    createDevice: async () => ({ ...gpu.engine!, destroy: () => undefined }),
    send: (message) => setTimeout(() => toClient(structuredClone(message)), 0),
  });
  const channel: EngineChannel = {
    post: (message) => setTimeout(() => void server.handle(structuredClone(message)), 0),
    onMessage: (l) => (toClient = l),
    onClose: (l) => (onClose = l),
    close: () => undefined,
  };
  const client = new EngineClient('chromium', async () => channel);
  return { jobs: remoteGpuJobs(client), client, crash: (reason) => onClose(reason) };
}

function testSpace(): StoredExpressionSpace {
  const e = proceduralExpressionBasis();
  return { mean: Array.from(canonicalFace()), basis: Array.from(e.basis), count: e.count, range: Array.from(e.range), sigma: [], varianceKept: 1 };
}

describe('GPU sessions: the allow-list', () => {
  it('lists exactly the public methods of each session class', () => {
    expect([...GPU_SESSIONS.train.methods].sort()).toEqual(publicMethods(TrainSession).sort());
    expect([...GPU_SESSIONS.bake.methods].sort()).toEqual(publicMethods(BakeSession).sort());
    expect([...GPU_SESSIONS.render.methods].sort()).toEqual(publicMethods(VideoFrameRenderer).sort());
    expect([...GPU_SESSIONS.refine.methods].sort()).toEqual(publicMethods(RefineSession).sort());
  });

  it('marshals callbacks and signals in nested plain objects, and nothing else', () => {
    const calls: unknown[][] = [];
    const typed = new Float32Array([1, 2]);
    const { args, fns, signals } = encodeCallArgs([typed, { a: 1, onStep: (s: number) => calls.push([s]), deep: [{ signal: new AbortController().signal }] }]);
    expect(fns).toHaveLength(1);
    expect(signals).toHaveLength(1);
    const wire = structuredClone(args);
    expect(wire[0]).toBeInstanceOf(Float32Array);
    const abort = new AbortController();
    const reported: [number, unknown[]][] = [];
    const live = decodeCallArgs(wire, (fn, a) => reported.push([fn, a]), abort.signal) as [Float32Array, { onStep(s: number): void; deep: [{ signal: AbortSignal }] }];
    live[1].onStep(7);
    expect(reported).toEqual([[0, [7]]]);
    expect(live[1].deep[0].signal).toBe(abort.signal);
    abort.abort();
    expect(() => live[1].onStep(8)).toThrow(/cancelled/);
  });
});

describe.skipIf(!gpu.device)('GPU sessions in process and over a channel', () => {
  const space = testSpace();
  const model = openHeadFor(space);
  const avatar = uvAvatar(model, 24, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });

  it('renders the same frame in process and remotely', async () => {
    const local = localGpuJobs(async () => ({ ...gpu.engine!, destroy: () => undefined }));
    const { jobs: remote } = inMemoryRemote();
    const init = { data: avatar, triangles: model.triangles, vertexCount: model.vertexCount };
    const camera = randomCamera(3, 48);
    const vertices = posedVertices(model, randomHeadParams(model, 2));
    const a = await (await local.open('render', init)).render(vertices, camera, { over: [0.2, 0.3, 0.4] });
    const b = await (await remote.open('render', init)).render(vertices, camera, { over: [0.2, 0.3, 0.4] });
    expect(b).toBeInstanceOf(Uint8Array);
    expect(b.length).toBe(48 * 48 * 4);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    await local.close();
    await remote.close();
  });

  it('bakes remotely with progress callbacks; a throwing callback stops the call; engine errors keep their class', async () => {
    const { jobs, client } = inMemoryRemote();
    const bake = await jobs.open('bake', { space });
    const views = Array.from({ length: 3 }, (_, i) => ({ head: randomHeadParams(model, 10 + i), camera: randomCamera(20 + i, 32) }));
    const steps: number[] = [];
    const stages: string[] = [];
    const result = await bake.bake(avatar, views, { mapSize: 16, levels: 2, steps: 4, onStep: (s: number) => steps.push(s), onStage: (s: string) => stages.push(s) }, []);
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(stages).toEqual(['observe', 'targets', 'fit']);
    expect(result.maps).toBeTruthy();
    expect(result.visibility).toBeInstanceOf(Uint8Array);
    expect(result.report.steps).toBe(4);

    const cancelled = new Error('Cancelled.');
    await expect(bake.bake(avatar, views, { mapSize: 16, levels: 2, steps: 50, onStep: (s: number) => { if (s === 2) throw cancelled; } }, [])).rejects.toBe(cancelled);
    // The engine is still usable after a cancelled call, and errors come back as their own classes.
    await expect(bake.bake(avatar, [], { mapSize: 16 }, [])).rejects.toBeInstanceOf(RangeError);
    // Only listed methods can be called from outside.
    const raw = await client.openSession('bake', { space });
    await expect(client.callSession(raw, 'destroy', [])).rejects.toThrow(/has no method “destroy”/);
    await expect(client.openSession('shell', {})).rejects.toThrow(/Unknown GPU session kind/);
    await jobs.close();
  });

  it('an engine page that goes away mid-call rejects the call and counts as a lost device (the job is resumable)', async () => {
    const { jobs, crash } = inMemoryRemote();
    const bake = await jobs.open('bake', { space });
    const views = Array.from({ length: 2 }, (_, i) => ({ head: randomHeadParams(model, 30 + i), camera: randomCamera(40 + i, 32) }));
    const call = bake.bake(avatar, views, { mapSize: 16, levels: 2, steps: 200, onStep: (s: number) => { if (s === 1) crash('engine page crashed'); } }, []);
    await expect(call).rejects.toThrow(/engine page crashed/);
    expect(jobs.lostError()).toBeInstanceOf(DeviceLostError);
    expect(jobs.lostError()!.message).toMatch(/went away \(engine page crashed\)/);
  });
});
