import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { TrainingReport } from '@shared/model/avatar';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { displayScale, lightboxKey, REPORT_IMAGE_KINDS, type ReportImageKind } from './reportImages';

type EvaluatedFrame = TrainingReport['perFrame'][number];

/**
 * One evaluation image of the report, large: enlarged by a whole factor with square pixels (they are at the training
 * resolution), ←/→ (and the buttons) step through the evaluated frames — the report's selection follows —, 1/2/3
 * switch between ground truth, render and error, Esc closes.
 */
export function ReportImageLightbox({
  frames,
  sel,
  kind,
  url,
  describe,
  figures,
  onChange,
  onClose,
}: {
  frames: EvaluatedFrame[];
  sel: number;
  kind: ReportImageKind;
  url: (rel: string) => string;
  /** "Frame 12 of camera A" */
  describe: (f: EvaluatedFrame) => string;
  /** The frame's figures, as the report words them. */
  figures: (f: EvaluatedFrame) => string;
  onChange: (sel: number, kind: ReportImageKind) => void;
  onClose: () => void;
}) {
  const frame = frames[sel]!;
  const radioName = useId();
  const images = frame.images;
  const stageRef = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState({ w: 0, h: 0 });
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);

  useLayoutEffect(() => {
    const el = stageRef.current;
    if (!el) return;
    const measure = () => setBox({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The dialog takes the keys while it is open (the report's list and the page see none of them).
  const latest = useRef({ sel, kind, frames: frames.length, onChange });
  latest.current = { sel, kind, frames: frames.length, onChange };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      // Enter / Space stay the focused control's; ←/→ step frames even on the image radios (1/2/3 switch those).
      if (target?.closest('select, textarea, input:not([type=radio])')) return;
      const { sel: s, kind: k, frames: n, onChange: change } = latest.current;
      const next = lightboxKey(e.key, s, n, k);
      if (!next) return;
      e.preventDefault();
      e.stopPropagation();
      if (next.sel !== s || next.kind !== k) change(next.sel, next.kind);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  const scale = natural ? displayScale(natural.w, natural.h, box.w, box.h) : 1;
  const spec = REPORT_IMAGE_KINDS[kind];

  return (
    <Dialog title={`${spec.label} · ${describe(frame)}`} onClose={onClose} className="report-lightbox">
      <div className="report-lightbox-bar">
        <div className="segmented report-lightbox-kinds" role="radiogroup" aria-label="Image">
          {REPORT_IMAGE_KINDS.map((k, i) => (
            <label key={k.key} className={`segmented-item${i === kind ? ' is-checked' : ''}`} title={`${k.label} (${k.shortcut})`}>
              <input type="radio" name={radioName} checked={i === kind} onChange={() => onChange(sel, i as ReportImageKind)} data-autofocus={i === kind ? true : undefined} />
              {k.label}
            </label>
          ))}
        </div>
        <div className="report-lightbox-nav" role="group" aria-label="Evaluated frame">
          <Button size="sm" icon="stepBack" iconOnly label="Previous frame (←)" disabledReason={sel === 0 ? 'This is the first evaluated frame' : null} onClick={() => onChange(sel - 1, kind)} />
          <span className="muted report-lightbox-count" data-testid="lightbox-position">
            {sel + 1} of {frames.length}
          </span>
          <Button size="sm" icon="stepForward" iconOnly label="Next frame (→)" disabledReason={sel === frames.length - 1 ? 'This is the last evaluated frame' : null} onClick={() => onChange(sel + 1, kind)} />
        </div>
      </div>
      <div className="report-lightbox-stage" ref={stageRef}>
        {images ? (
          <img
            key={images[spec.key]}
            src={url(images[spec.key])}
            alt={`${spec.label} of ${describe(frame)}`}
            data-testid="lightbox-image"
            data-scale={scale}
            onLoad={(e) => setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
            style={natural ? { width: natural.w * scale, height: natural.h * scale } : undefined}
            className={scale >= 1 ? 'is-pixelated' : undefined}
          />
        ) : (
          <p className="muted">This run was recorded before the studio kept evaluation images.</p>
        )}
      </div>
      <div className="report-lightbox-caption muted">
        <span data-testid="lightbox-figures">
          {figures(frame)}
          {natural && ` · ${natural.w}×${natural.h} px, the resolution it was measured at, shown ×${Number.isInteger(scale) ? scale : scale.toFixed(2)}`}
        </span>
        <span className="report-lightbox-keys">
          <kbd>←</kbd> <kbd>→</kbd> frames · <kbd>1</kbd> <kbd>2</kbd> <kbd>3</kbd> image · <kbd>Esc</kbd> close
        </span>
      </div>
    </Dialog>
  );
}
