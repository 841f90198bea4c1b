import { useEffect, useState } from 'react';
import type { FlameCheck } from '@shared/model/settings';
import { Button } from '../../components/Button';
import { errorMessage } from '../../lib/errors';
import { useConnection } from '../../store/connection';
import { useSettings } from '../../store/settings';
import { studio } from '../../store/studio';

type CheckState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'ok'; result: FlameCheck; saved: boolean } | { kind: 'error'; message: string };

/**
 * Settings → Head model: the FLAME model file and landmark embedding (full paths on the machine running the studio),
 * checked by loading them in the studio (settings.checkFlame) and saved with settings.update, which checks again.
 */
export function HeadModelSettings() {
  const saved = useSettings((s) => s.settings?.flame ?? null);
  const readOnly = useConnection((s) => s.library?.readOnly ?? false);
  const disconnected = useConnection((s) => s.status !== 'open');
  const [modelPath, setModelPath] = useState(saved?.modelPath ?? '');
  const [embeddingPath, setEmbeddingPath] = useState(saved?.embeddingPath ?? '');
  const [state, setState] = useState<CheckState>({ kind: 'idle' });
  useEffect(() => {
    setModelPath(saved?.modelPath ?? '');
    setEmbeddingPath(saved?.embeddingPath ?? '');
  }, [saved?.modelPath, saved?.embeddingPath]);

  const model = modelPath.trim(), embedding = embeddingPath.trim();
  const unchanged = model === (saved?.modelPath ?? '') && embedding === (saved?.embeddingPath ?? '');
  const busy = state.kind === 'busy';

  async function check() {
    setState({ kind: 'busy' });
    try {
      const result = await studio().client.call('settings.checkFlame', { modelPath: model, embeddingPath: embedding || null });
      setState({ kind: 'ok', result, saved: false });
    } catch (e) {
      setState({ kind: 'error', message: errorMessage(e) });
    }
  }

  async function save(clear = false) {
    setState({ kind: 'busy' });
    try {
      const flame = clear ? { modelPath: null, embeddingPath: null } : { modelPath: model || null, embeddingPath: embedding || null };
      const settings = await studio().client.call('settings.update', { flame });
      useSettings.getState().apply(settings);
      if (clear || !flame.modelPath) setState({ kind: 'idle' });
      else setState({ kind: 'ok', result: await studio().client.call('settings.checkFlame', { modelPath: flame.modelPath, embeddingPath: flame.embeddingPath }), saved: true });
    } catch (e) {
      setState({ kind: 'error', message: errorMessage(e) });
    }
  }

  return (
    <form
      className="form head-model-settings"
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy && model) void check();
      }}
    >
      <p className="field-hint">
        Tracking fits the built-in open head by default. To fit FLAME instead, download it yourself: FLAME cannot be bundled with Avatar Studio (its licence
        forbids redistribution). Register at <span className="mono selectable">flame.is.tue.mpg.de</span>, download FLAME 2020 or 2023 (
        <span className="mono">generic_model.pkl</span>, <span className="mono">flame2023.pkl</span>, or an <span className="mono">.npz</span> with the
        same arrays), and the MediaPipe landmark embedding (<span className="mono">mediapipe_landmark_embedding.npz</span>, published with FLAME-based trackers
        such as MICA; DECA&apos;s 68-point <span className="mono">landmark_embedding.npy</span> also works, with fewer landmarks).
      </p>
      <label className="field">
        <span className="field-label">FLAME model file</span>
        <input
          className="input mono"
          value={modelPath}
          placeholder="/path/to/flame2023.pkl"
          spellCheck={false}
          autoComplete="off"
          aria-label="FLAME model file"
          onChange={(e) => setModelPath(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">Landmark embedding</span>
        <input
          className="input mono"
          value={embeddingPath}
          placeholder="/path/to/mediapipe_landmark_embedding.npz"
          spellCheck={false}
          autoComplete="off"
          aria-label="Landmark embedding file"
          onChange={(e) => setEmbeddingPath(e.target.value)}
        />
        <span className="field-hint">Full paths on the machine running the studio. Needed to track with FLAME: the model and the embedding.</span>
      </label>
      <div className="field-row">
        <Button type="submit" busy={busy} disabledReason={disconnected ? 'Not connected to the studio.' : !model ? 'Type the full path of the FLAME model file first.' : null}>
          Check
        </Button>
        <Button
          type="button"
          variant="primary"
          busy={busy}
          onClick={() => void save()}
          disabledReason={disconnected ? 'Not connected to the studio.' : readOnly ? 'The library is read-only.' : unchanged ? 'Nothing changed.' : null}
        >
          Save
        </Button>
        {(saved?.modelPath || saved?.embeddingPath) && (
          <Button type="button" busy={busy} onClick={() => void save(true)} disabledReason={readOnly ? 'The library is read-only.' : null}>
            Clear
          </Button>
        )}
      </div>
      <div aria-live="polite" data-testid="flame-check">
        {state.kind === 'ok' && (
          <p className="field-hint">
            {state.saved ? 'Saved. ' : ''}FLAME loaded: {state.result.vertices.toLocaleString()} vertices, {state.result.shapeCount} shape and {state.result.expressionCount}{' '}
            expression components,{' '}
            {state.result.landmarkCount > 0 ? `${state.result.landmarkCount} landmarks embedded.` : 'no landmark embedding yet (tracking with FLAME needs one).'}
          </p>
        )}
        {state.kind === 'error' && (
          <p className="inline-error" role="alert">
            {state.message}
          </p>
        )}
      </div>
    </form>
  );
}
