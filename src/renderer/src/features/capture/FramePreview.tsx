import { useEffect, useState } from 'react';
import type { Capture, Frame } from '@shared/model/capture';
import type { CaptureFrames } from '../../store/captures';
import { studio } from '../../store/studio';
import { OverlayToggles, TrackingFrameInfo } from '../tracking/TrackingPanel';
import { TrackingOverlayLayer } from '../tracking/TrackingOverlayLayer';
import { EXPOSURE_TEXT, exposureLevel, relativeSharpness, SHARPNESS_TEXT, sharpnessLevel } from './quality';
import { SPLIT_CODES, SPLIT_LABEL } from './splits';
import { timecode, useTimeline } from './timelineStore';

/**
 * One view's frame, large. The thumbnail shows at once (it is cached from the strip) and the full frame replaces
 * it when it has loaded, so scrubbing and playback never show an empty box.
 */
function ViewImage({ projectId, frame, label, children }: { projectId: string; frame: Frame | undefined; label: string; children?: React.ReactNode }) {
  const full = frame ? studio().assetUrl(projectId, frame.file) : null;
  const thumb = frame ? studio().assetUrl(projectId, frame.thumb) : null;
  const [loaded, setLoaded] = useState<string | null>(null);
  useEffect(() => {
    if (!full) return;
    let live = true;
    const img = new Image();
    img.decoding = 'async';
    img.onload = () => live && setLoaded(full);
    img.src = full;
    return () => {
      live = false;
    };
  }, [full]);
  const aspect = frame && frame.height > 0 ? `${frame.width} / ${frame.height}` : '16 / 9';
  return (
    <figure className="preview-view" style={{ aspectRatio: aspect }}>
      {thumb && <img className="preview-thumb" src={thumb} alt="" draggable={false} />}
      {loaded && <img className="preview-full" src={loaded} alt={label} draggable={false} />}
      {!frame && <span className="muted">No frame</span>}
      {frame && children}
    </figure>
  );
}

export function FramePreview({ capture, data }: { capture: Capture; data: CaptureFrames }) {
  const current = useTimeline((s) => s.current);
  const rate = useTimeline((s) => s.rate);
  const cams = capture.cameras.length ? capture.cameras : [{ id: Object.keys(data.byCamera)[0] ?? '', name: 'Frames' }];
  const first = data.byCamera[cams[0].id]?.[current];
  const split = SPLIT_CODES[data.splits[current]] ?? 'train';
  const rel = relativeSharpness(first, data.medianSharpness);
  const sLevel = sharpnessLevel(rel);
  const eLevel = exposureLevel(first);
  const frameCount = data.splits.length;

  return (
    <div className="preview">
      <div className={`preview-views${cams.length > 1 ? ' is-multi' : ''}`} style={{ '--views': Math.min(cams.length, 3) } as React.CSSProperties}>
        {cams.map((c) => (
          <div key={c.id} className="preview-cell">
            <ViewImage projectId={capture.projectId} frame={data.byCamera[c.id]?.[current]} label={`${c.name}, frame ${current}`}>
              <TrackingOverlayLayer capture={capture} cameraId={c.id} idx={current} width={data.byCamera[c.id]?.[current]?.width ?? 0} height={data.byCamera[c.id]?.[current]?.height ?? 0} />
            </ViewImage>
            {cams.length > 1 && <span className="preview-camera">{c.name}</span>}
          </div>
        ))}
        <OverlayToggles captureId={capture.id} />
      </div>
      <dl className="preview-info" aria-label="Current frame">
        <div className="preview-info-main">
          <dt className="visually-hidden">Frame</dt>
          <dd className="preview-frame" data-testid="current-frame">
            Frame <strong>{current}</strong> <span className="muted">/ {Math.max(0, frameCount - 1)}</span>
          </dd>
          <dt className="visually-hidden">Time code</dt>
          <dd className="mono preview-timecode">{timecode(current, capture.fps)}</dd>
          {rate !== 0 && <dd className="preview-rate">{rate > 0 ? '▶' : '◀'} {Math.abs(rate)}×</dd>}
        </div>
        <div>
          <dt>Split</dt>
          <dd>
            <span className={`split-chip split-${split}`} data-testid="current-split">
              {SPLIT_LABEL[split]}
            </span>
          </dd>
        </div>
        <div>
          <dt>Sharpness</dt>
          <dd className={`quality-${sLevel}`} title={first?.sharpness !== null && first?.sharpness !== undefined ? `Variance of the Laplacian: ${first.sharpness.toFixed(1)}` : undefined}>
            {SHARPNESS_TEXT[sLevel]}
            {rel !== null && <span className="muted"> · {rel.toFixed(2)}× median</span>}
          </dd>
        </div>
        <TrackingFrameInfo captureId={capture.id} cameraId={cams[0].id} idx={current} />
        <div>
          <dt>Exposure</dt>
          <dd className={`quality-${eLevel}`}>
            {EXPOSURE_TEXT[eLevel]}
            {first?.exposure !== null && first?.exposure !== undefined && <span className="muted"> · {Math.round(first.exposure * 100)}%</span>}
            {first?.clipped ? <span className="muted"> · {(first.clipped * 100).toFixed(1)}% clipped</span> : null}
          </dd>
        </div>
      </dl>
    </div>
  );
}
