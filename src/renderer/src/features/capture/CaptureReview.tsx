import { useEffect, useMemo, useState } from 'react';
import type { Capture, FrameSplit } from '@shared/model/capture';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { EditableName } from '../../components/EditableName';
import { EmptyState } from '../../components/EmptyState';
import { Kbd } from '../../components/Kbd';
import { formatDateTime, plural } from '../../lib/format';
import { useCaptures } from '../../store/captures';
import { toast } from '../../store/toasts';
import { TrackingLegend, TrackingPanel } from '../tracking/TrackingPanel';
import { FramePreview } from './FramePreview';
import { BLUR_THRESHOLD, exposureLevel, relativeSharpness } from './quality';
import { countSplits, SPLIT_CODE } from './splits';
import { Timeline } from './Timeline';
import { timecode, useTimeline } from './timelineStore';
import { togglePlay, useFootageKeys, usePlayback, zoomTimeline } from './useFootageKeys';

const KIND_LABEL: Record<Capture['kind'], string> = { video: 'Video', images: 'Image sequence', photo: 'Photo', multiview: 'Multi-view' };

const acceptedKey = (id: string) => `avatar-studio.split-accepted.${id}`;
function splitAccepted(id: string): boolean {
  try {
    return localStorage.getItem(acceptedKey(id)) === '1';
  } catch {
    return false;
  }
}
function acceptSplit(id: string): void {
  try {
    localStorage.setItem(acceptedKey(id), '1');
  } catch {
    // not essential
  }
}

/** The proposed split is still untouched: the test frames are exactly the trailing run of kept frames. */
function looksProposed(splits: Uint8Array): { from: number; to: number } | null {
  let end = splits.length - 1;
  while (end >= 0 && splits[end] === SPLIT_CODE.excluded) end--;
  if (end < 0 || splits[end] !== SPLIT_CODE.test) return null;
  let start = end;
  while (start > 0 && splits[start - 1] !== SPLIT_CODE.train) start--;
  for (let i = 0; i < start; i++) if (splits[i] === SPLIT_CODE.test) return null;
  return { from: start, to: end };
}

/** Reviewing one capture: the large preview and its details, the proposed split, the toolbar and the timeline. */
export function CaptureReview({ capture, readOnly, onImport }: { capture: Capture; readOnly: string | null; onImport: () => void; onDeleted?: () => void }) {
  const data = useCaptures((s) => s.frames[capture.id]);
  const history = useCaptures((s) => s.history[capture.id]);
  const pending = useCaptures((s) => s.pending[capture.id] ?? 0);
  const selection = useTimeline((s) => s.selection);
  const current = useTimeline((s) => s.current);
  const rate = useTimeline((s) => s.rate);
  const [renaming, setRenaming] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [adjusting, setAdjusting] = useState(false);
  const [fraction, setFraction] = useState(20);
  const [accepted, setAccepted] = useState(() => splitAccepted(capture.id));

  // Frames: load on open, and again when the capture gains frames (a resumed import) or its counts change elsewhere.
  useEffect(() => {
    const f = useCaptures.getState().frames[capture.id];
    if (!f || f.splits.length !== capture.frameCount) void useCaptures.getState().loadFrames(capture);
  }, [capture]);
  const frameCount = data?.splits.length ?? 0;
  useEffect(() => {
    useTimeline.getState().reset(capture.id, frameCount);
  }, [capture.id, frameCount]);
  useEffect(() => () => useTimeline.getState().setRate(0), []);

  usePlayback(capture.fps);

  const { mark } = useMemo(() => {
    const mark = (split: FrameSplit) => {
      if (readOnly !== null) {
        toast.error(readOnly);
        return;
      }
      const t = useTimeline.getState();
      const range = t.selection ?? { from: t.current, to: t.current };
      const n = range.to - range.from + 1;
      const verb = split === 'excluded' ? 'Exclude' : `Mark as ${split}`;
      void useCaptures.getState().setSplit(capture.id, [range], split, `${verb} ${n === 1 ? `frame ${range.from}` : `frames ${range.from}–${range.to}`}`);
      acceptSplit(capture.id);
    };
    return { mark };
  }, [capture.id, readOnly]);

  const guard = (run: () => void) => () => (readOnly !== null ? void toast.error(readOnly) : run());
  const excludeBlurry = guard(() => void useCaptures.getState().excludeBlurry(capture.id, BLUR_THRESHOLD));
  const undo = guard(() => void useCaptures.getState().undo(capture.id));
  const redo = guard(() => void useCaptures.getState().redo(capture.id));

  const canUndoNow = () => (useCaptures.getState().history[capture.id]?.undo.length ?? 0) > 0;
  const canRedoNow = () => (useCaptures.getState().history[capture.id]?.redo.length ?? 0) > 0;
  useFootageKeys({ mark, excludeBlurry, undo, redo, canUndo: canUndoNow, canRedo: canRedoNow, importFootage: onImport }, Boolean(data?.loaded && frameCount > 0));

  const stats = useMemo(() => {
    if (!data) return null;
    const first = data.byCamera[capture.cameras[0]?.id ?? ''] ?? Object.values(data.byCamera)[0] ?? [];
    let blurry = 0;
    let badExposure = 0;
    for (const f of first) {
      const rel = relativeSharpness(f, data.medianSharpness);
      if (rel !== null && rel < BLUR_THRESHOLD) blurry++;
      const e = exposureLevel(f);
      if (e !== 'ok' && e !== 'unknown') badExposure++;
    }
    return { blurry, badExposure, counts: countSplits(data.splits) };
  }, [data, capture.cameras]);

  if (!data || (!data.loaded && frameCount === 0)) {
    return (
      <p className="loading" role="status">
        Loading frames…
      </p>
    );
  }
  if (data.error && frameCount === 0) {
    return (
      <EmptyState icon="alert" title="Could not load the frames" actions={<Button onClick={() => void useCaptures.getState().loadFrames(capture)}>Try again</Button>}>
        <p>{data.error.message}</p>
      </EmptyState>
    );
  }

  const proposed = !accepted ? looksProposed(data.splits) : null;
  const counts = stats?.counts ?? capture.splitCounts;
  const selCount = selection ? selection.to - selection.from + 1 : 0;
  const target = selection ? `${plural(selCount, 'frame')}` : `frame ${current}`;
  const canUndo = (history?.undo.length ?? 0) > 0;
  const canRedo = (history?.redo.length ?? 0) > 0;

  return (
    <div className="review">
      <div className="review-top">
        <FramePreview capture={capture} data={data} />
        <aside className="review-side" aria-label="Capture details">
          <section>
            <EditableName
              as="h2"
              className="capture-name"
              name={capture.name}
              editing={renaming}
              disabledReason={readOnly}
              onStartEdit={() => setRenaming(true)}
              onCommit={(name) => useCaptures.getState().rename(capture.id, name)}
              onDone={() => setRenaming(false)}
            />
            <dl className="capture-facts">
              <div>
                <dt>Kind</dt>
                <dd>
                  {KIND_LABEL[capture.kind]}
                  {capture.cameras.length > 1 ? ` · ${capture.cameras.length} cameras` : ''}
                </dd>
              </div>
              <div>
                <dt>Frames</dt>
                <dd>
                  {capture.frameCount.toLocaleString()}
                  {capture.fps ? ` at ${+capture.fps.toFixed(2)} fps` : ''}
                  {capture.fps ? ` · ${timecode(capture.frameCount, capture.fps)}` : ''}
                </dd>
              </div>
              <div>
                <dt>Stored</dt>
                <dd>
                  {capture.width}×{capture.height}
                  <span className="muted"> from {capture.source.width}×{capture.source.height}{capture.source.codec ? ` ${capture.source.codec}` : ''}</span>
                </dd>
              </div>
              <div>
                <dt>Source</dt>
                <dd className="capture-source" title={capture.source.names.join('\n')}>
                  {capture.source.names.join(', ')}
                </dd>
              </div>
              <div>
                <dt>Imported</dt>
                <dd>{formatDateTime(capture.createdAt)}</dd>
              </div>
            </dl>
            {capture.source.variableFrameRate && <p className="banner banner-warning capture-note">Variable frame rate source: frames were resampled to a constant rate.</p>}
          </section>

          <section aria-label="Split">
            <h3>Split</h3>
            <ul className="split-legend">
              <li>
                <span className="swatch swatch-train" /> Train <strong data-testid="count-train">{counts.train.toLocaleString()}</strong>
              </li>
              <li>
                <span className="swatch swatch-test" /> Test <strong data-testid="count-test">{counts.test.toLocaleString()}</strong>
              </li>
              <li>
                <span className="swatch swatch-excluded" /> Excluded <strong data-testid="count-excluded">{counts.excluded.toLocaleString()}</strong>
              </li>
            </ul>
            <div className="split-bar" aria-hidden="true">
              <span className="swatch-train" style={{ flex: counts.train }} />
              <span className="swatch-test" style={{ flex: counts.test }} />
              <span className="swatch-excluded" style={{ flex: counts.excluded }} />
            </div>
          </section>

          <TrackingPanel capture={capture} readOnly={readOnly} />

          <section aria-label="Quality">
            <h3>Quality</h3>
            <p className="quality-summary">
              {stats && stats.blurry > 0 ? (
                <>
                  <span className="quality-blurry">{plural(stats.blurry, 'blurry frame')}</span> below {Math.round(BLUR_THRESHOLD * 100)}% of the median sharpness.
                </>
              ) : (
                'No blurry frames.'
              )}{' '}
              {stats && stats.badExposure > 0 ? <span className="quality-clipped">{plural(stats.badExposure, 'frame')} badly exposed.</span> : null}
            </p>
            <Button icon="blur" disabledReason={readOnly ?? (stats?.blurry ? null : 'No frame is blurry enough to exclude.')} onClick={excludeBlurry} title="Exclude blurry frames (Shift+B)">
              Exclude blurry frames
            </Button>
            <dl className="quality-legend">
              <div>
                <dt>
                  <span className="swatch swatch-sharp" />
                  <span className="swatch swatch-soft" />
                  <span className="swatch swatch-blurry" />
                </dt>
                <dd>Sharpness: sharp · soft · blurry (bars; the dashed line is the blur threshold)</dd>
              </div>
              <div>
                <dt>
                  <span className="swatch swatch-exposure" />
                </dt>
                <dd>Exposure: mean brightness; red marks clipped or overexposed, blue underexposed</dd>
              </div>
              <TrackingLegend captureId={capture.id} />
            </dl>
          </section>

          <section className="review-side-footer">
            <Button size="sm" variant="ghost" icon="trash" disabledReason={readOnly} onClick={() => setConfirmDelete(true)}>
              Delete capture
            </Button>
          </section>
        </aside>
      </div>

      {proposed && (
        <div className="banner banner-info split-proposal" role="status">
          <span>
            <strong>Proposed split:</strong> the last {Math.round((counts.test / Math.max(1, counts.train + counts.test)) * 100)}% in time (frames {proposed.from}–{proposed.to}) are test frames, held out to measure the avatar.
          </span>
          {adjusting ? (
            <span className="split-adjust">
              <label>
                Test share{' '}
                <input className="input" type="number" min={5} max={50} step={5} value={fraction} onChange={(e) => setFraction(Number(e.target.value))} aria-label="Test share in percent" />%
              </label>
              <Button
                size="sm"
                variant="primary"
                disabledReason={readOnly ?? (fraction >= 0 && fraction <= 90 ? null : 'Between 0 and 90%.')}
                onClick={async () => {
                  if (await useCaptures.getState().proposeSplit(capture.id, fraction / 100, { quiet: true })) setAdjusting(false);
                }}
              >
                Apply
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setAdjusting(false)}>
                Cancel
              </Button>
            </span>
          ) : (
            <span className="split-adjust">
              <Button
                size="sm"
                variant="primary"
                icon="check"
                onClick={() => {
                  acceptSplit(capture.id);
                  setAccepted(true);
                }}
              >
                Accept
              </Button>
              <Button size="sm" disabledReason={readOnly} onClick={() => setAdjusting(true)}>
                Adjust…
              </Button>
            </span>
          )}
        </div>
      )}

      <div className="review-toolbar" role="toolbar" aria-label="Timeline tools">
        <div className="toolbar-group" aria-label="Transport">
          <Button size="sm" variant="ghost" icon="toStart" iconOnly label="First frame (Home)" onClick={() => useTimeline.getState().seek(0)} />
          <Button size="sm" variant="ghost" icon="stepBack" iconOnly label="Previous frame (←)" onClick={() => useTimeline.getState().step(-1)} />
          <Button size="sm" variant="ghost" icon={rate !== 0 ? 'pause' : 'play'} iconOnly label={rate !== 0 ? 'Pause (Space)' : 'Play (Space)'} onClick={togglePlay} />
          <Button size="sm" variant="ghost" icon="stepForward" iconOnly label="Next frame (→)" onClick={() => useTimeline.getState().step(1)} />
          <Button size="sm" variant="ghost" icon="toEnd" iconOnly label="Last frame (End)" onClick={() => useTimeline.getState().seek(frameCount - 1)} />
          <span className="toolbar-readout mono" aria-live="off">
            {current} · {timecode(current, capture.fps)}
          </span>
        </div>
        <div className="toolbar-group toolbar-selection" aria-label="Selection">
          <span className="toolbar-selection-text" data-testid="selection-text" title={selection ? undefined : 'Drag on the strip to select frames; Shift+click extends, I / O set its ends'}>
            {selection ? (
              <>
                Frames {selection.from}–{selection.to} <span className="muted">({selCount.toLocaleString()})</span>
              </>
            ) : (
              <span className="muted">Drag on the strip to select</span>
            )}
          </span>
          <Button size="sm" icon="ban" disabledReason={readOnly} title={`Exclude ${target} (X)`} onClick={() => mark('excluded')}>
            Exclude
          </Button>
          <Button size="sm" icon="flask" disabledReason={readOnly} title={`Mark ${target} as test (T)`} onClick={() => mark('test')}>
            Mark as test
          </Button>
          <Button size="sm" icon="check" disabledReason={readOnly} title={`Mark ${target} as train (R)`} onClick={() => mark('train')}>
            Mark as train
          </Button>
          <Button size="sm" variant="ghost" icon="undo" iconOnly label={canUndo ? `Undo: ${history!.undo.at(-1)!.label} (Ctrl+Z)` : 'Nothing to undo'} disabledReason={readOnly ?? (canUndo ? null : 'Nothing to undo')} onClick={undo} />
          <Button size="sm" variant="ghost" icon="redo" iconOnly label={canRedo ? `Redo: ${history!.redo.at(-1)!.label} (Ctrl+Shift+Z)` : 'Nothing to redo'} disabledReason={readOnly ?? (canRedo ? null : 'Nothing to redo')} onClick={redo} />
          {pending > 0 && <span className="toolbar-saving muted">Saving…</span>}
        </div>
        <div className="toolbar-group" aria-label="Timeline zoom">
          <Button size="sm" variant="ghost" icon="zoomOut" iconOnly label="Zoom the timeline out (−)" onClick={() => zoomTimeline('out')} />
          <Button size="sm" variant="ghost" icon="zoomIn" iconOnly label="Zoom the timeline in (+ or Ctrl+wheel)" onClick={() => zoomTimeline('in')} />
          <Button size="sm" variant="ghost" icon="fit" iconOnly label="Fit the whole capture (0)" onClick={() => zoomTimeline('fit')} />
          <span className="toolbar-hint muted" title="Keyboard shortcuts: press ?">
            <Kbd combo="?" /> <span className="toolbar-hint-word">shortcuts</span>
          </span>
        </div>
      </div>

      <Timeline capture={capture} data={data} />

      {confirmDelete && (
        <Dialog
          title={`Delete “${capture.name}”?`}
          size="sm"
          onClose={() => setConfirmDelete(false)}
          description="Its frames, thumbnails and split are deleted from the project for good. The source file is not touched."
          footer={
            <>
              <Button onClick={() => setConfirmDelete(false)} data-autofocus>
                Keep it
              </Button>
              <Button
                variant="danger"
                icon="trash"
                onClick={async () => {
                  setConfirmDelete(false);
                  await useCaptures.getState().remove(capture);
                }}
              >
                Delete capture
              </Button>
            </>
          }
        />
      )}
    </div>
  );
}
