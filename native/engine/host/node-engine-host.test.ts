/**
 * The Node engine host: a real child process on dawn.node (SwiftShader where there is no GPU), driven through the
 * conformance cases shared with the Chromium host, plus process-level behaviour (crash → exit event, restart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROOF, proofCamera } from '../viewport-proof/proof-scene';
import { EngineHostExitedError, type EngineHost } from './engine-host';
import { conformanceCases, proofSceneData } from './host-conformance';
import { createNodeEngineHost, type NodeEngineHost } from './node-engine-host';

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const host: EngineHost = createNodeEngineHost();
let skipReason = '';
try {
  const info = await host.start();
  if (process.env.STUDIO_GPU_VERBOSE || isCi()) console.info(`[node-engine-host] ${JSON.stringify(info.adapter)} ${info.rasterMode}/${info.scanSortMode}`);
} catch (e) {
  if ((e as Error).name !== 'NoAdapterError' || isCi()) throw e;
  skipReason = (e as Error).message;
  console.warn(`[node-engine-host] SKIPPING — no WebGPU adapter: ${skipReason}`);
}
afterAll(() => host.dispose());

describe.skipIf(skipReason !== '')('Node engine host (child process on dawn.node)', () => {
  for (const c of conformanceCases) it(c.name, () => c.run(host));
});

describe.skipIf(skipReason !== '')('Node engine host process lifecycle', () => {
  let other: NodeEngineHost;
  beforeAll(() => {
    other = createNodeEngineHost();
  });
  afterAll(() => other.dispose());

  it('a killed engine process rejects pending work, reports exit, and the next call starts a new one', async () => {
    const exits: string[] = [];
    other.on('exit', ({ reason }) => exits.push(reason));
    await other.start();
    const pid = other.pid!;
    expect(pid).toBeGreaterThan(0);
    const pending = other.render(proofSceneData(), proofCamera(), { background: PROOF.background });
    process.kill(pid, 'SIGKILL');
    await expect(pending).rejects.toBeInstanceOf(EngineHostExitedError);
    expect(exits).toEqual([expect.stringMatching(/SIGKILL/)]);
    const info = await other.start();
    expect(info.adapter.backend).toBeTruthy();
    expect(other.pid).not.toBe(pid);
  });

  it('dispose stops the process and later calls are refused', async () => {
    const h = createNodeEngineHost();
    await h.start();
    await h.dispose();
    await h.dispose();
    await expect(h.start()).rejects.toBeInstanceOf(EngineHostExitedError);
  });
});
