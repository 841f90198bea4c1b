import { useEffect, useMemo, useRef, useState } from 'react';
import type { Capture } from '@shared/model/capture';
import type { TrackingOverlay } from '@shared/model/tracking';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { useReadOnlyReason } from '../../store/connection';
import { isActive, useJobs } from '../../store/jobs';
import { overlayKey, trackingJobFor, useTracking } from '../../store/tracking';

/** Waits this long after the playhead stops before fetching an overlay, so scrubbing does not flood the host. */
const FETCH_DELAY_MS = 90;

/** One path of every mesh edge (each shared edge once), in stored-frame pixels. */
function meshPath(mesh: NonNullable<TrackingOverlay['mesh']>): string {
  const v = mesh.vertices;
  const t = mesh.triangles ?? [];
  const n = v.length / 2;
  const seen = new Set<number>();
  const parts: string[] = [];
  const edge = (a: number, b: number) => {
    if (a >= n || b >= n) return;
    const k = a < b ? a * n + b : b * n + a;
    if (seen.has(k)) return;
    seen.add(k);
    parts.push(`M${v[a * 2]} ${v[a * 2 + 1]}L${v[b * 2]} ${v[b * 2 + 1]}`);
  };
  for (let i = 0; i + 2 < t.length; i += 3) {
    edge(t[i], t[i + 1]);
    edge(t[i + 1], t[i + 2]);
    edge(t[i + 2], t[i]);
  }
  return parts.join('');
}

/**
 * Drawn over one view of the preview, in the stored frame's pixel space: an SVG whose viewBox is the frame and
 * whose aspect handling (`xMidYMid meet`) is the image's `object-fit: contain`, so every point lands on the pixel
 * it names however the preview is sized. Shows the fitted mesh and/or the landmarks when toggled on, and — on
 * frames where the detector saw several faces — their boxes, which can be clicked to follow another face. Inside a
 * zoomed preview (`zoom` > 1, the layer scaled by CSS with the image) dots, strokes and labels keep their screen size.
 */
export function TrackingOverlayLayer({ capture, cameraId, idx, width, height, zoom = 1 }: { capture: Capture; cameraId: string; idx: number; width: number; height: number; zoom?: number }) {
  const tracking = useTracking((s) => s.byCapture[capture.id]);
  const showMesh = useTracking((s) => s.showMesh);
  const showLandmarks = useTracking((s) => s.showLandmarks);
  const trackedAt = tracking?.summary?.trackedAt;
  const tf = tracking?.byCamera[cameraId]?.[idx];
  const key = trackedAt !== undefined ? overlayKey(capture.id, trackedAt, cameraId, idx) : '';
  const entry = useTracking((s) => (key ? s.overlays[key] : undefined));
  const wanted = (showMesh || showLandmarks) && Boolean(tf?.tracked) && trackedAt !== undefined;
  const readOnly = useReadOnlyReason();
  const jobOf = useTracking((s) => s.jobOf[capture.id]);
  const running = useJobs((s) => {
    const j = trackingJobFor(capture, s.jobs, jobOf);
    return j !== null && isActive(j);
  });
  const [confirm, setConfirm] = useState<{ x: number; y: number; n: number } | null>(null);

  useEffect(() => {
    if (!wanted || entry) return;
    const t = setTimeout(() => void useTracking.getState().fetchOverlay(capture.id, cameraId, idx), FETCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [wanted, entry, capture.id, cameraId, idx]);

  // Once this frame's overlay is in, fetch its neighbours too, so stepping with the arrow keys draws at once.
  const ready = entry?.status === 'ready';
  useEffect(() => {
    if (!wanted || !ready) return;
    const t = setTimeout(() => {
      const list = useTracking.getState().byCapture[capture.id]?.byCamera[cameraId];
      for (const n of [idx + 1, idx - 1]) if (list?.[n]?.tracked) void useTracking.getState().fetchOverlay(capture.id, cameraId, n);
    }, 150);
    return () => clearTimeout(t);
  }, [wanted, ready, capture.id, cameraId, idx]);

  // Screen pixels per frame pixel, so dots and labels keep their size on screen.
  const svgRef = useRef<SVGSVGElement>(null);
  const [scale, setScale] = useState(1);
  useEffect(() => {
    const el = svgRef.current;
    if (!el || width <= 0 || height <= 0) return;
    const measure = () => setScale(Math.min(el.clientWidth / width, el.clientHeight / height) || 1);
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, [width, height]);

  const overlay = entry?.status === 'ready' ? entry.overlay : null;
  const path = useMemo(() => (overlay?.mesh ? meshPath(overlay.mesh) : ''), [overlay]);
  const faces = tf && tf.faces.length > 1 ? tf.faces : [];

  if (!tracking?.summary || width <= 0 || height <= 0) return null;
  const px = 1 / (scale * zoom);
  const landmarks = showLandmarks && overlay?.landmarks ? overlay.landmarks : null;

  return (
    <>
      <svg
        ref={svgRef}
        className="tracking-overlay"
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="xMidYMid meet"
        data-testid="tracking-overlay"
        data-camera={cameraId}
        data-frame={idx}
        data-state={!wanted ? 'off' : (entry?.status ?? 'waiting')}
        aria-hidden={faces.length === 0 ? true : undefined}
      >
        {showMesh && path && <path className="tracking-mesh" d={path} data-testid="tracking-mesh" />}
        {landmarks && (
          <g className="tracking-landmarks" data-testid="tracking-landmarks">
            {Array.from({ length: landmarks.length / 2 }, (_, i) => (
              <circle key={i} cx={landmarks[i * 2]} cy={landmarks[i * 2 + 1]} r={(i >= 468 ? 1.6 : 1.1) * px} className={i >= 468 ? 'is-iris' : undefined} />
            ))}
          </g>
        )}
        {faces.length > 0 && (
          <g className="tracking-faces" role="group" aria-label="Faces on this frame">
            {faces.map((f, i) => {
              const chosen = i === tf!.chosenFace;
              const label = chosen ? 'Followed' : `Follow face ${i + 1}`;
              const pick = () => {
                if (chosen) return;
                setConfirm({ x: Math.round(f.box.x + f.box.width / 2), y: Math.round(f.box.y + f.box.height / 2), n: i + 1 });
              };
              return (
                <g
                  key={i}
                  className={`tracking-face${chosen ? ' is-chosen' : ''}`}
                  role={chosen ? undefined : 'button'}
                  tabIndex={chosen ? undefined : 0}
                  aria-label={chosen ? `Face ${i + 1}, followed` : `Follow face ${i + 1} instead`}
                  onClick={pick}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      e.stopPropagation();
                      pick();
                    }
                  }}
                >
                  <rect x={f.box.x} y={f.box.y} width={f.box.width} height={f.box.height} rx={4 * px} />
                  <text x={f.box.x + 4 * px} y={f.box.y - 5 * px} style={{ fontSize: 12 * px }}>
                    {label}
                  </text>
                </g>
              );
            })}
          </g>
        )}
      </svg>
      {confirm && (
        <Dialog
          title="Track this face instead?"
          size="sm"
          onClose={() => setConfirm(null)}
          description={`Tracking runs again on every frame of “${capture.name}” and follows face ${confirm.n} (the one under the point you clicked, where it is first found). The current results stay until the new ones are done.`}
          footer={
            <>
              <Button onClick={() => setConfirm(null)}>Keep the current face</Button>
              <Button
                variant="primary"
                icon="target"
                data-autofocus
                disabledReason={readOnly ?? (running ? 'Tracking is already running for this capture. Wait for it or cancel it first.' : null)}
                onClick={() => {
                  const pick = { x: confirm.x, y: confirm.y };
                  setConfirm(null);
                  void useTracking.getState().start(capture, pick);
                }}
              >
                Track this face
              </Button>
            </>
          }
        />
      )}
    </>
  );
}
