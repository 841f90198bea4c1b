import { useEffect, useState } from 'react';
import type { GpuInfo } from '@shared/api/contract';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useConnection } from '../../store/connection';
import { usePanels } from '../../store/panels';
import { studio } from '../../store/studio';
import { HeadModelSettings } from './HeadModelSettings';
import { LibrarySwitcher } from './LibrarySwitcher';
import { ThemePicker } from './ThemePicker';

/** Appearance, the library (where, which schema, writable or why not, switch folder), the head model (FLAME files) and about. */
export function SettingsDialog() {
  const close = usePanels((s) => s.closeModal);
  const library = useConnection((s) => s.library);
  const libraryError = useConnection((s) => s.libraryError);
  const app = useConnection((s) => s.app);

  return (
    <Dialog title="Settings" size="lg" onClose={close}>
      <section className="settings-section" aria-labelledby="settings-appearance">
        <h3 id="settings-appearance">Appearance</h3>
        <ThemePicker />
        {library?.readOnly && <p className="field-hint">The library is read-only, so the theme applies to this window only.</p>}
      </section>

      <section className="settings-section" aria-labelledby="settings-library">
        <h3 id="settings-library">Library</h3>
        {libraryError && (
          <p className="inline-error" role="alert">
            {libraryError.message}
          </p>
        )}
        <dl className="facts">
          <dt>Location</dt>
          <dd className="mono selectable">{library?.path ?? '—'}</dd>
          <dt>Schema version</dt>
          <dd>{library ? library.schemaVersion : '—'}</dd>
          <dt>Access</dt>
          <dd>
            {!library ? (
              '—'
            ) : library.readOnly ? (
              <span className="read-only-state">
                <Icon name="lock" /> Read-only — {library.readOnlyReason ?? 'the studio cannot write to this library.'}
              </span>
            ) : (
              'Read and write'
            )}
          </dd>
        </dl>
        <LibrarySwitcher />
      </section>

      <section className="settings-section" aria-labelledby="settings-head-model">
        <h3 id="settings-head-model">Head model</h3>
        <HeadModelSettings />
      </section>

      <section className="settings-section" aria-labelledby="settings-about">
        <h3 id="settings-about">About</h3>
        <dl className="facts">
          <dt>Avatar Studio</dt>
          <dd>{app ? `Version ${app.version}` : '—'}</dd>
          <dt>Running as</dt>
          <dd>{studio().frontDoor === 'web' ? 'Web mode, in a browser' : 'Desktop app'}</dd>
          <dt>Platform</dt>
          <dd>{app?.platform ?? '—'}</dd>
          <dt>GPU</dt>
          <dd className="mono selectable" data-testid="about-gpu">
            <GpuFact />
          </dd>
          {app &&
            Object.entries(app.versions).map(([k, v]) => (
              <FactRow key={k} name={k} value={v} />
            ))}
        </dl>
      </section>
    </Dialog>
  );
}

/** The GPU adapter the engine runs on (app.gpu starts the engine host on first use, which can take a few seconds). */
function GpuFact() {
  const [gpu, setGpu] = useState<GpuInfo | 'loading' | 'failed'>('loading');
  useEffect(() => {
    let live = true;
    studio()
      .client.call('app.gpu')
      .then((g) => live && setGpu(g))
      .catch(() => live && setGpu('failed'));
    return () => {
      live = false;
    };
  }, []);
  if (gpu === 'loading') return <>Starting the engine…</>;
  if (gpu === 'failed') return <>Unknown (the studio did not answer)</>;
  if (!gpu.adapter) return <>Unavailable — {gpu.error ?? 'no adapter'}</>;
  const a = gpu.adapter;
  const name = [a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' ') || 'Unknown adapter';
  const tags = [a.backend, a.featureLevel === 'compatibility' ? 'compatibility mode' : '', a.isFallbackAdapter ? 'CPU fallback' : '', gpu.host ? `${gpu.host} engine host` : ''].filter(Boolean);
  return (
    <>
      {name} ({tags.join(', ')})
      {a.reason ? <span className="fact-note">{a.reason}</span> : null}
    </>
  );
}

function FactRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className="mono">{value}</dd>
    </>
  );
}
