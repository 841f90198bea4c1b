/** app.gpu through the services host: the default Node engine host starts lazily and reports its adapter. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GpuInfo } from '@shared/api/contract';
import { StudioHost } from './studio-host';

const open: StudioHost[] = [];
const dirs: string[] = [];
function newHost(engineHost?: null): StudioHost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-info-'));
  dirs.push(dir);
  const host = StudioHost.open({ libraryDir: dir, frontDoor: 'web', ...(engineHost === null ? { engineHost: null } : {}) });
  open.push(host);
  return host;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('app.gpu', () => {
  it('starts the Node engine host and reports the adapter (or why there is none)', async () => {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const host = newHost();
    const outcome = await host.dispatch('app.gpu', {});
    expect(outcome.ok).toBe(true);
    const info = GpuInfo.parse((outcome as { result: unknown }).result);
    expect(info.host).toBe('node');
    if (info.adapter) {
      expect(info.error).toBeNull();
      expect(info.kernels).toMatch(/^(direct|shared|rows)\/(serial|parallel)$/);
      // Cached: the second call does not start another engine.
      const again = await host.dispatch('app.gpu', {});
      expect((again as { result: unknown }).result).toEqual(info);
    } else {
      expect(info.error).toMatch(/adapter/i);
    }
  });
  it('says so when a front door has no engine', async () => {
    const outcome = await newHost(null).dispatch('app.gpu', {});
    expect(outcome).toEqual({ ok: true, result: { host: null, adapter: null, kernels: null, error: 'This front door runs no GPU engine.' } });
  });
  it('refuses parameters', async () => {
    const outcome = await newHost(null).dispatch('app.gpu', { x: 1 });
    expect(outcome.ok).toBe(false);
  });
});
