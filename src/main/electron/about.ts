/** What the About panel shows: version, runtime versions and the GPU adapter the engine uses. No `electron` import. */
import type { AdapterReport } from '../../../native/engine/gpu/engine-device';

export function describeAdapter(a: AdapterReport | null | undefined): string {
  if (!a) return 'not started';
  const name = [a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' ').trim() || 'unknown adapter';
  const tags = [a.backend, a.featureLevel === 'compatibility' ? 'compatibility mode' : '', a.isFallbackAdapter ? 'CPU fallback' : ''].filter(Boolean);
  return tags.length ? `${name} (${tags.join(', ')})` : name;
}

export interface AboutInput {
  appName: string;
  version: string;
  versions: Record<string, string | undefined>;
  gpu: { adapter: AdapterReport | null; host: string; error: string | null } | null;
}

/** Options for `app.setAboutPanelOptions` and the text of the Windows About dialog. */
export function aboutPanel(input: AboutInput): { applicationName: string; applicationVersion: string; version: string; credits: string; copyright: string; detail: string } {
  const v = input.versions;
  const lines = [
    `Electron ${v.electron ?? '?'} · Chromium ${v.chrome ?? '?'} · Node ${v.node ?? '?'} · V8 ${v.v8 ?? '?'}`,
    v.sqlite ? `SQLite ${v.sqlite}` : '',
    input.gpu
      ? input.gpu.error
        ? `GPU: unavailable — ${input.gpu.error}`
        : `GPU: ${describeAdapter(input.gpu.adapter)} via the ${input.gpu.host} engine host`
      : 'GPU: engine not started yet',
    input.gpu?.adapter?.reason ? `Why this adapter: ${input.gpu.adapter.reason}` : '',
  ].filter(Boolean);
  return {
    applicationName: input.appName,
    applicationVersion: input.version,
    version: v.electron ? `Electron ${v.electron}` : '',
    credits: lines.join('\n'),
    copyright: 'MIT licence',
    detail: [`Version ${input.version}`, ...lines].join('\n'),
  };
}
