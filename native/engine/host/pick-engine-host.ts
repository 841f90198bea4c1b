/**
 * Which engine host a runtime gets. Electron → the Chromium host: dawn.node's buffer readback returns external
 * ArrayBuffers, which Electron's V8 memory cage refuses (dawn-gpu/node-webgpu#5; the npm 0.6.2 binary still imports
 * only napi_create_external_arraybuffer). `STUDIO_ENGINE_HOST=node` forces the Node host in Electron for a spike on
 * a machine with Electron (e2e/electron/engine-host.spec.ts reports whether readback works there).
 */
export type EngineRuntime = 'electron' | 'node';
export type EngineHostChoice = 'chromium' | 'node';

export function pickEngineHost(runtime: EngineRuntime, env: Record<string, string | undefined> = {}): EngineHostChoice {
  const forced = env.STUDIO_ENGINE_HOST?.trim().toLowerCase();
  if (forced === 'node' || forced === 'chromium') {
    // A Node process has no Chromium to host a page in.
    if (runtime === 'node' && forced === 'chromium') throw new Error('STUDIO_ENGINE_HOST=chromium needs the Electron app; web mode and the CLI use the Node host.');
    return forced;
  }
  if (forced) throw new Error(`STUDIO_ENGINE_HOST=${env.STUDIO_ENGINE_HOST} is not one of node, chromium`);
  return runtime === 'electron' ? 'chromium' : 'node';
}

/** The runtime this process is: Electron's main process has `process.versions.electron`. */
export function currentRuntime(versions: Record<string, string | undefined>): EngineRuntime {
  return versions.electron ? 'electron' : 'node';
}
