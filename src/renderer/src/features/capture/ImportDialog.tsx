import { useState } from 'react';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { formatBytes, plural } from '../../lib/format';
import type { ImportChoice, ImportPlan } from './importFootage';

const LONG_SIDES = [512, 768, 1024, 1536, 2048];

/**
 * Options for an import of several files: one multi-view capture or one capture per video, stored frame size and
 * rate. Single files import at once with the defaults.
 */
export function ImportDialog({ plan, onCancel, onImport }: { plan: ImportPlan; onCancel: () => void; onImport: (choice: ImportChoice) => void }) {
  const several = plan.videos.length > 1;
  const [multiview, setMultiview] = useState(false);
  const [longSide, setLongSide] = useState(1024);
  const [fps, setFps] = useState('');
  const size = [...plan.videos, ...plan.images].reduce((n, f) => n + f.size, 0);
  const fpsValue = fps.trim() === '' ? undefined : Number(fps);
  const fpsInvalid = fpsValue !== undefined && !(fpsValue > 0 && fpsValue <= 240);
  return (
    <Dialog
      title="Import footage"
      onClose={onCancel}
      description={`${[plan.videos.length ? plural(plan.videos.length, 'video') : '', plan.images.length ? plural(plan.images.length, 'image') : '', plan.folders.length ? plural(plan.folders.length, 'folder') : ''].filter(Boolean).join(', ')} · ${formatBytes(size)}`}
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="primary" icon="upload" data-autofocus disabledReason={fpsInvalid ? 'Enter a frame rate between 1 and 240, or leave it empty.' : null} onClick={() => onImport({ multiview: several && multiview, longSide, fps: fpsValue })}>
            Import
          </Button>
        </>
      }
    >
      <div className="form import-form">
        <ul className="import-files">
          {plan.videos.map((f) => (
            <li key={`v:${f.name}`}>
              {f.name} <span className="muted">{formatBytes(f.size)}</span>
            </li>
          ))}
          {plan.images.length > 0 && (
            <li>
              {plan.images.length === 1 ? plan.images[0].name : `${plan.images.length} images as one image sequence`}
            </li>
          )}
          {plan.folders.map((f) => (
            <li key={`d:${f.name}`}>
              Folder {f.name} <span className="muted">{f.path ? '' : plural(f.files.length, 'image')}</span>
            </li>
          ))}
          {plan.calibration && (
            <li>
              Calibration {plan.calibration.name} <span className="muted">(used for a multi-view capture)</span>
            </li>
          )}
        </ul>
        {several && (
          <label className="checkbox">
            <input type="checkbox" checked={multiview} onChange={(e) => setMultiview(e.target.checked)} />
            <span>
              Import as one multi-view capture
              <span className="field-hint"> — synchronised videos of the same take, one camera each, shown as stacked timelines</span>
            </span>
          </label>
        )}
        <div className="field-row">
          <label className="field">
            <span className="field-label">Stored frame size (long side)</span>
            <select className="select" value={longSide} onChange={(e) => setLongSide(Number(e.target.value))}>
              {LONG_SIDES.map((n) => (
                <option key={n} value={n}>
                  {n} px{n === 1024 ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Frames per second</span>
            <input className="input" inputMode="decimal" placeholder="Source rate, up to 30" value={fps} aria-invalid={fpsInvalid || undefined} onChange={(e) => setFps(e.target.value)} />
          </label>
        </div>
      </div>
    </Dialog>
  );
}
