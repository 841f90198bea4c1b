import { lazy, Suspense, useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { Project } from '@shared/model/project';
import type { TextureMapKind } from '@shared/texture';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { avatarTitle } from '../../lib/avatarText';
import { errorMessage } from '../../lib/errors';
import { useJobs } from '../../store/jobs';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';
import { toast } from '../../store/toasts';
import { setDefaultTexturePersistence, useTextureDocument } from './documentStore';
import { ApplyToAvatar } from './ApplyToAvatar';
import { LayersPanel } from './LayersPanel';
import { studioTexturePersistence } from './studioPersistence';
import { TextureCanvas, type CanvasOverlays, type CanvasViewApi } from './TextureCanvas';
import { ToolPanel } from './ToolPanel';
import { useTextureKeys } from './useTextureKeys';
import './texture.css';

setDefaultTexturePersistence(studioTexturePersistence);

// H3's live 3D view (engine + WebGPU) loads on its own, so the 2D editor works where it cannot.
const TextureView3D = lazy(() =>
  import('./view3d/TextureView3D').then(
    (m) => ({ default: m.TextureView3D }),
    (err: unknown) => ({
      default: () => (
        <p className="banner banner-warning" role="alert">
          The 3D view could not be loaded ({err instanceof Error ? err.message : String(err)}).
        </p>
      ),
    }),
  ),
);

const MAP_LABEL: Record<TextureMapKind, string> = { composite: 'Colour with layers', colour: 'Baked colour', opacity: 'Opacity', visibility: 'Visibility' };
const STICKER_TYPES = '.png,.jpg,.jpeg,.svg,image/png,image/jpeg,image/svg+xml';

function SaveIndicator() {
  const save = useTextureDocument((s) => s.save);
  const text = save.state === 'saved' ? (save.savedAt ? 'Saved' : 'No changes') : save.state === 'saving' ? 'Saving…' : save.state === 'dirty' ? 'Unsaved changes' : `Not saved: ${save.message}`;
  return (
    <span className={`texture-save texture-save-${save.state}`} role="status" data-testid="texture-save-state" data-state={save.state} title={save.message ?? undefined}>
      {text}
      {save.state === 'error' && (
        <Button size="sm" variant="ghost" onClick={() => void useTextureDocument.getState().flushSave()}>
          Retry
        </Button>
      )}
    </span>
  );
}

/** No bake yet: say so and offer to bake (H1's `bake.start` job); the editor reloads when the bake finishes. */
function NoBake({ avatarId, onBaked }: { avatarId: string; onBaked: () => void }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined));
  useEffect(() => {
    if (job?.status === 'completed') onBaked();
  }, [job?.status, onBaked]);
  const locked = useTextureDocument((s) => s.locked);
  return (
    <EmptyState
      icon="brush"
      title="This avatar has no texture yet"
      actions={
        !job || job.status === 'failed' || job.status === 'cancelled' ? (
          <Button
            variant="primary"
            busy={starting}
            disabledReason={locked}
            onClick={async () => {
              setStarting(true);
              try {
                const j = await studio().client.call('bake.start', { avatarId });
                useJobs.setState((s) => ({ jobs: { ...s.jobs, [j.id]: j } }));
                setJobId(j.id);
              } catch (err) {
                toast.error(errorMessage(err));
              } finally {
                setStarting(false);
              }
            }}
          >
            Bake the avatar
          </Button>
        ) : undefined
      }
    >
      <p>Texture editing works on the baked UV maps. Baking fits colour, opacity and shape maps to the trained avatar (a job; minutes on a GPU).</p>
      {job && job.status !== 'completed' && <ProgressBar fraction={job.progress.fraction ?? null} label={job.progress.stage || job.title} tone={job.status === 'failed' ? 'danger' : 'accent'} />}
      {job?.status === 'failed' && <p className="banner banner-warning">{job.error?.message}</p>}
    </EmptyState>
  );
}

/**
 * The texture editor (`#/project/<id>/texture/<avatarId>`): tools on the left, the 2D map canvas, the live 3D view
 * (H3's `TextureView3D`) and the layers on the right. Edits autosave; the base map is never changed.
 */
export function TextureEditorView({ project, avatarId }: { project: Project; avatarId: string }) {
  const status = useTextureDocument((s) => s.status);
  const error = useTextureDocument((s) => s.error);
  const locked = useTextureDocument((s) => s.locked);
  const canUndo = useTextureDocument((s) => s.canUndo);
  const canRedo = useTextureDocument((s) => s.canRedo);
  const mapSize = useTextureDocument((s) => s.mapSize);
  const [overlays, setOverlays] = useState<CanvasOverlays>({ wireframe: true, visibility: false });
  const [show3d, setShow3d] = useState(() => localStorage.getItem('texture.show3d') !== 'false');
  const [exportKind, setExportKind] = useState<TextureMapKind>('composite');
  const [busy, setBusy] = useState<string | null>(null);
  const [viewApi, setViewApi] = useState<CanvasViewApi | null>(null);
  const [avatarName, setAvatarName] = useState<string | null>(null);
  const stickerInput = useRef<HTMLInputElement>(null);
  const mapInput = useRef<HTMLInputElement>(null);
  const ready = status === 'ready';
  const space = useTextureKeys(viewApi, ready);
  const onViewApi = useCallback((api: CanvasViewApi) => setViewApi(api), []);

  const reload = useCallback(() => void useTextureDocument.getState().load(avatarId), [avatarId]);
  useEffect(() => {
    reload();
    const flush = () => void useTextureDocument.getState().flushSave();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [reload]);
  useEffect(() => {
    let live = true;
    studio()
      .client.call('avatars.list', { projectId: project.id })
      .then((list) => {
        const a = list.find((x) => x.id === avatarId);
        if (live) setAvatarName(a ? avatarTitle(a) : null);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [project.id, avatarId]);
  useEffect(() => localStorage.setItem('texture.show3d', String(show3d)), [show3d]);

  const importFiles = async (files: File[], kind: 'sticker' | 'image') => {
    const s = useTextureDocument.getState();
    for (const file of files) {
      setBusy(`Importing ${file.name}…`);
      try {
        const r = await studioTexturePersistence().importFile(avatarId, file, kind);
        s.addImportedLayer(r.layer.layer, r.image);
        if (kind === 'sticker') s.setTool('sticker');
        if (r.note) toast.info(r.note);
      } catch (err) {
        toast.error(errorMessage(err));
      } finally {
        setBusy(null);
      }
    }
  };

  const exportMap = async () => {
    setBusy('Exporting…');
    try {
      await useTextureDocument.getState().flushSave();
      const r = await studioTexturePersistence().exportMap(avatarId, exportKind);
      if (studio().frontDoor === 'web' && r.url) {
        const a = document.createElement('a');
        a.href = r.url;
        a.download = r.path.split(/[\\/]/).pop() ?? 'map.png';
        a.click();
      }
      toast.success(`Exported the ${MAP_LABEL[exportKind].toLowerCase()} map to ${r.path}`);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const onDrop = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.stopPropagation();
    if (!ready || locked) return;
    void importFiles([...e.dataTransfer.files], 'sticker');
  };
  const onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.stopPropagation();
    e.dataTransfer.dropEffect = ready && !locked ? 'copy' : 'none';
  };

  return (
    <section className="texture-editor" aria-label="Texture editor">
      <header className="texture-header">
        <Button variant="ghost" icon="back" onClick={() => navigate({ name: 'project', id: project.id, section: 'training' })}>
          Avatars
        </Button>
        <h1 className="texture-title" title={`Texture${avatarName ? ` — ${avatarName}` : ''}${mapSize > 0 ? ` · ${mapSize}×${mapSize}` : ''}`}>
          Texture{avatarName ? ` — ${avatarName}` : ''}
          {mapSize > 0 && <span className="muted"> · {mapSize}×{mapSize}</span>}
        </h1>
        {ready && <SaveIndicator />}
        <div className="texture-header-actions">
          <Button icon="undo" iconOnly label="Undo (Ctrl+Z)" disabledReason={canUndo && ready ? null : 'Nothing to undo'} onClick={() => useTextureDocument.getState().undo()} data-testid="texture-undo" />
          <Button icon="redo" iconOnly label="Redo (Ctrl+Shift+Z)" disabledReason={canRedo && ready ? null : 'Nothing to redo'} onClick={() => useTextureDocument.getState().redo()} data-testid="texture-redo" />
          <Button icon="upload" disabledReason={!ready ? 'Loading' : locked} onClick={() => mapInput.current?.click()} title="Import a colour map edited in another painter (same size and orientation) as a new layer">
            Import map
          </Button>
          <select className="input" value={exportKind} aria-label="Map to export" onChange={(e) => setExportKind(e.target.value as TextureMapKind)}>
            {(Object.keys(MAP_LABEL) as TextureMapKind[]).map((k) => (
              <option key={k} value={k}>
                {MAP_LABEL[k]}
              </option>
            ))}
          </select>
          <Button icon="export" disabledReason={ready ? null : 'Loading'} busy={busy === 'Exporting…'} onClick={() => void exportMap()}>
            Export map (PNG)
          </Button>
          {ready && <ApplyToAvatar avatarId={avatarId} projectId={project.id} flushSave={() => useTextureDocument.getState().flushSave()} />}
        </div>
        <input ref={stickerInput} type="file" hidden accept={STICKER_TYPES} multiple data-testid="sticker-input" onChange={(e) => void importFiles([...(e.target.files ?? [])], 'sticker').then(() => (e.target.value = ''))} />
        <input ref={mapInput} type="file" hidden accept=".png,.jpg,.jpeg,image/png,image/jpeg" data-testid="map-input" onChange={(e) => void importFiles([...(e.target.files ?? [])], 'image').then(() => (e.target.value = ''))} />
      </header>
      {locked && (
        <p className="banner banner-warning" role="status">
          {locked} The editor is read-only until then.
        </p>
      )}
      {status === 'loading' || status === 'idle' ? (
        <p className="loading" role="status">
          Loading the texture…
        </p>
      ) : status === 'error' ? (
        <EmptyState icon="alert" title="Could not open the texture" actions={<Button onClick={reload}>Try again</Button>}>
          <p>{error}</p>
        </EmptyState>
      ) : status === 'no-bake' ? (
        <NoBake avatarId={avatarId} onBaked={reload} />
      ) : (
        <div className="texture-body">
          <ToolPanel />
          <div className="texture-stage" onDragOver={onDragOver} onDrop={onDrop} data-testid="texture-stage">
            <div className="texture-stage-bar">
              <label className="texture-check">
                <input type="checkbox" title="The open head's UV triangles" checked={overlays.wireframe} onChange={(e) => setOverlays({ ...overlays, wireframe: e.target.checked })} /> Wireframe
              </label>
              <label className="texture-check">
                <input type="checkbox" title="Texels never seen in the footage (filled by the bake) and texels outside every Gaussian" checked={overlays.visibility} onChange={(e) => setOverlays({ ...overlays, visibility: e.target.checked })} /> Unobserved
              </label>
              <span className="texture-stage-spacer" />
              <Button size="sm" variant="ghost" icon="fit" iconOnly label="Fit the map in the view (0)" onClick={() => viewApi?.fit()} />
              <Button size="sm" variant="ghost" onClick={() => viewApi?.actual()} title="One texel per pixel (1)">
                1:1
              </Button>
              <label className="texture-check">
                <input type="checkbox" checked={show3d} onChange={(e) => setShow3d(e.target.checked)} data-testid="toggle-3d" /> 3D view
              </label>
            </div>
            <TextureCanvas overlays={overlays} onViewApi={onViewApi} spaceHeld={space} />
            {busy && (
              <p className="texture-busy" role="status">
                {busy}
              </p>
            )}
            {overlays.visibility && (
              <p className="texture-legend muted">
                <span className="texture-legend-swatch is-filled" /> filled (never seen in the footage) <span className="texture-legend-swatch is-outside" /> outside every Gaussian
              </p>
            )}
          </div>
          {show3d && (
            <div className="texture-3d-slot" data-slot="TextureView3D">
              <Suspense fallback={<p className="loading">Loading the 3D view…</p>}>
                <TextureView3D avatarId={avatarId} store={useTextureDocument} />
              </Suspense>
            </div>
          )}
          <LayersPanel onImportSticker={() => stickerInput.current?.click()} disabled={locked} />
        </div>
      )}
    </section>
  );
}
