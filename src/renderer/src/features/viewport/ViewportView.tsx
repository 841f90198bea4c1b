import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Project } from '@shared/model/project';
import { Button } from '../../components/Button';
import { avatarSummary, avatarTitle } from '../../lib/avatarText';
import { navigate } from '../../store/route';
import { ExportButton } from '../export/ExportButton';
import type { FrameInfo } from './avatarEngine';
import { engineCamera, renderSize, STAGE_FOV } from '@engine/view/camera-math';
import { gaussianCentres } from './centres';
import { homeView, JAW_OPEN_MAX, type HeadState } from '@engine/avatar/head-rig';
import { loadAvatar, type LoadedAvatar } from './loadAvatar';
import { useAvatarEngine } from './useAvatarEngine';
import { useLoaded } from './useLoaded';
import { homeSnapshot, Stage, type CameraSnapshot, type OrbitHome } from './Stage';
import './viewport.css';
import { LoadPending } from './LoadPending';
import { playbackFrame, playbackRateText, RateMeter, startClock, type PlaybackClock } from './playback';

/** Long side of the engine's render in device pixels: CPU adapters (SwiftShader) get a smaller image. */
const MAX_RENDER_SIDE = { cpu: 480, gpu: 1600 };
const DEFAULT_FPS = 10;


/**
 * The trained avatar in 3D: the engine renders it (WebGPU, the same WGSL as training) under an orbit camera, three.js
 * draws the mesh and Gaussian-centre overlays on top with the same camera, and the panel plays the capture's tracked
 * motion or poses the face with expression and jaw sliders. Frames render on demand (camera, pose or size change).
 */
export function ViewportView({ project, avatarId }: { project: Project; avatarId: string }) {
  const load = useLoaded(avatarId, () => loadAvatar(avatarId));

  const back = () => navigate({ name: 'project', id: project.id });
  if (load.state !== 'ready')
    return (
      <section className="viewport" aria-label="Avatar viewport" data-testid="viewport" data-state={load.state}>
        <LoadPending load={load} failTitle="Could not open the avatar" onBack={back} />
      </section>
    );
  return <AvatarViewport key={avatarId} avatar={load.value} onBack={back} />;
}

function AvatarViewport({ avatar, onBack }: { avatar: LoadedAvatar; onBack: () => void }) {
  const { rig, data, fit } = avatar;
  const frames = useMemo(() => [...(fit?.frames ?? [])].sort((a, b) => a.idx - b.idx), [fit]);
  const idxs = useMemo(() => frames.map((f) => f.idx), [frames]);
  const fps = avatar.info.fps ?? DEFAULT_FPS;

  const [head, setHead] = useState<HeadState>(() => rig.neutral());
  const [frameAt, setFrameAt] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [applyPose, setApplyPose] = useState(false);
  const [showMesh, setShowMesh] = useState(false);
  const [showCentres, setShowCentres] = useState(false);
  const [homeKey, setHomeKey] = useState(0);
  const [frame, setFrame] = useState<FrameInfo | null>(null);
  const [playRate, setPlayRate] = useState<number | null>(null);

  const vertices = useMemo(() => rig.vertices(head, applyPose), [rig, head, applyPose]);
  const centres = useMemo(() => (showCentres ? gaussianCentres(data, vertices, rig.model.triangles) : null), [showCentres, data, vertices, rig]);
  const home = useMemo<OrbitHome>(() => homeView(rig, STAGE_FOV), [rig]);

  // The engine: one WebGPU device and the avatar's buffers for the life of this view.
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const cameraRef = useRef<CameraSnapshot | null>(null);
  const verticesRef = useRef(vertices);
  verticesRef.current = vertices;
  const maxSide = useRef(MAX_RENDER_SIDE.gpu);

  // Playback state the animation loop reads (refs: it runs outside React's renders).
  const frameAtRef = useRef<number | null>(null);
  const clockRef = useRef<PlaybackClock | null>(null);
  /**
   * Tracked frames asked of the engine and not drawn yet, oldest first, with when they were asked. Two may be out at
   * once — one rendering, the next waiting — so the engine never idles while the next pose is computed.
   */
  const outstandingRef = useRef<{ i: number; since: number }[]>([]);
  const meterRef = useRef(new RateMeter());
  const stageRef = useRef<HTMLDivElement | null>(null);
  const homeRef = useRef<OrbitHome>(home);
  homeRef.current = home;
  const requestFrame = useCallback(() => {
    const engine = engineRef.current, stage = stageRef.current;
    // Without three.js (no WebGL) the orbit camera never reports: the engine still renders the home view.
    const cam = cameraRef.current ?? (stage ? homeSnapshot(homeRef.current, stage.clientWidth, stage.clientHeight) : null);
    if (!engine || !cam || cam.cssWidth < 1 || cam.cssHeight < 1) return;
    const { width, height } = renderSize(cam.cssWidth, cam.cssHeight, window.devicePixelRatio || 1, maxSide.current);
    engine.request({ vertices: verticesRef.current, camera: engineCamera(cam, width, height), ...(frameAtRef.current !== null && { tag: frameAtRef.current }) });
  }, []);

  const onFrame = useCallback((info: FrameInfo) => {
    setFrame(info);
    const out = outstandingRef.current;
    const k = out.findIndex((o) => o.i === info.tag);
    if (k >= 0) {
      // This one is drawn; any asked before it were replaced by it (the engine keeps only the latest waiting).
      out.splice(0, k + 1);
      if (clockRef.current) meterRef.current.add(performance.now());
    }
  }, []);
  const { engineRef, status: engineState } = useAvatarEngine(canvasRef, data, rig.model, onFrame, (_engine, cpu) => {
    maxSide.current = cpu ? MAX_RENDER_SIDE.cpu : MAX_RENDER_SIDE.gpu;
    requestFrame();
  });


  useEffect(() => requestFrame(), [vertices, requestFrame]);
  const onCamera = useCallback(
    (c: CameraSnapshot) => {
      cameraRef.current = c;
      requestFrame();
    },
    [requestFrame],
  );

  const showFrame = useCallback((i: number) => {
    frameAtRef.current = i;
    setFrameAt(i);
    setHead(rig.fromFit(frames[i]!));
  }, [rig, frames]);

  // Playback in real time: on every animation frame, the tracked frame due at this wall time (elapsed × fps) is
  // posed — while the engine has at most one frame waiting behind the one it renders, so a slow adapter skips the
  // frames it has no time for instead of playing each one late (as the exported player does). The rate that reaches
  // the screen is shown.
  useEffect(() => {
    if (!playing || frames.length === 0) return;
    const meter = meterRef.current;
    meter.reset();
    outstandingRef.current = [];
    clockRef.current = startClock(idxs, frameAtRef.current ?? 0, performance.now());
    let raf = 0;
    let lastRateShown = 0;
    const tick = () => {
      raf = requestAnimationFrame(tick);
      const now = performance.now();
      const out = outstandingRef.current;
      // A frame the engine never reports (an error) stops being waited for after 2 s.
      while (out.length && now - out[0]!.since > 2000) out.shift();
      if (out.length < 2) {
        const next = playbackFrame(idxs, clockRef.current!, now, fps);
        if (next !== frameAtRef.current) {
          out.push({ i: next, since: now });
          showFrame(next);
        }
      }
      if (now - lastRateShown > 500) {
        lastRateShown = now;
        setPlayRate(meter.rate(now));
      }
    };
    raf = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(raf);
      clockRef.current = null;
      outstandingRef.current = [];
      setPlayRate(null);
    };
  }, [playing, frames, idxs, fps, showFrame]);

  const play = () => {
    if (playing) return setPlaying(false);
    if (frameAt === null && frames.length) showFrame(0);
    setPlaying(true);
  };
  const editHead = (change: (h: HeadState) => HeadState) => {
    setPlaying(false);
    setHead((h) => change({ ...h, expression: [...h.expression], jaw: [...h.jaw] as HeadState['jaw'] }));
  };
  const reset = () => {
    setPlaying(false);
    frameAtRef.current = null;
    setFrameAt(null);
    setHead(rig.neutral());
  };

  const range = (k: number) => [rig.range[k * 2] ?? -3, rig.range[k * 2 + 1] ?? 3] as const;
  const status = engineState.state === 'error' ? 'error' : frame ? 'ready' : 'rendering';

  return (
    <section className="viewport" aria-label="Avatar viewport" data-testid="viewport" data-state={status} data-frames={frame?.frames ?? 0}>
      <header className="viewport-header">
        <Button variant="ghost" icon="back" onClick={onBack}>
          Project
        </Button>
        <h2 className="viewport-title">{avatarTitle(avatar.info.avatar)}</h2>
        <span className="muted">{[`${data.count.toLocaleString()} Gaussians`, avatar.info.avatar.headModel, avatarSummary(avatar.info.avatar)].filter(Boolean).join(' · ')}</span>
        <Button size="sm" icon="camera" onClick={() => navigate({ name: 'project', id: avatar.info.avatar.projectId, section: 'live', avatarId: avatar.info.avatar.id })}>
          Live
        </Button>
        <ExportButton projectId={avatar.info.avatar.projectId} avatarId={avatar.info.avatar.id} shortcut />
      </header>
      <div className="viewport-body">
        <div className="viewport-stage" data-testid="viewport-stage" ref={stageRef}>
          <Stage home={home} homeKey={homeKey} onCamera={onCamera} engineCanvas={canvasRef} vertices={vertices} triangles={rig.model.triangles} showMesh={showMesh} centres={centres} />
          {engineState.state === 'error' && (
            <div className="viewport-stage-message" role="alert">
              {engineState.message}
            </div>
          )}
          <div className="viewport-stats" data-testid="viewport-stats" aria-live="off">
            {frame ? `${frame.ms.toFixed(0)} ms · ${frame.width}×${frame.height}` : engineState.state === 'starting' ? 'Starting WebGPU…' : engineState.state === 'ready' ? 'Rendering…' : ''}
            {engineState.kernels && <span className="muted"> · {engineState.adapter} · {engineState.kernels}</span>}
          </div>
        </div>
        <aside className="viewport-panel" aria-label="Viewport controls">
          <section aria-labelledby="vp-view">
            <h3 id="vp-view" className="section-title">
              View
            </h3>
            <div className="viewport-row" role="group" aria-label="Overlays">
              <Button size="sm" aria-pressed={showMesh} onClick={() => setShowMesh((v) => !v)}>
                Mesh wireframe
              </Button>
              <Button size="sm" aria-pressed={showCentres} onClick={() => setShowCentres((v) => !v)}>
                Gaussian centres
              </Button>
            </div>
            <Button size="sm" icon="fit" onClick={() => setHomeKey((k) => k + 1)}>
              Reset view
            </Button>
            <p className="muted viewport-hint">Drag to orbit, right-drag to pan, scroll to zoom.</p>
          </section>

          <section aria-labelledby="vp-motion">
            <h3 id="vp-motion" className="section-title">
              Tracked motion
            </h3>
            {frames.length === 0 ? (
              <p className="muted">The capture has no tracked motion to play.</p>
            ) : (
              <>
                <div className="viewport-row">
                  <Button size="sm" icon={playing ? 'pause' : 'play'} onClick={play}>
                    {playing ? 'Pause' : 'Play'}
                  </Button>
                  <span className="muted" data-testid="viewport-frame">
                    {frameAt === null ? 'Free pose' : `Frame ${frames[frameAt]!.idx} (${frameAt + 1} of ${frames.length})`}
                  </span>
                </div>
                {playing && (
                  <p className={`viewport-hint viewport-rate${playRate !== null && playRate < fps * 0.9 ? ' is-dropping' : ''}`} data-testid="viewport-playback-rate" aria-live="off">
                    Playing in real time: {playbackRateText(playRate, fps)}
                  </p>
                )}
                <input
                  type="range"
                  aria-label="Tracked frame"
                  min={0}
                  max={frames.length - 1}
                  step={1}
                  value={frameAt ?? 0}
                  onChange={(e) => {
                    setPlaying(false);
                    showFrame(Number(e.target.value));
                  }}
                />
                <label className="viewport-check">
                  <input
                    type="checkbox"
                    checked={applyPose}
                    onChange={(e) => {
                      setApplyPose(e.target.checked);
                      // The pose belongs to a tracked frame: show the first one if none is shown.
                      if (e.target.checked && frameAt === null) showFrame(0);
                    }}
                  />{' '}
                  Apply the tracked head pose
                </label>
                {avatar.fitCamera && <p className="muted viewport-hint">From {avatar.fitCamera}, {fps} fps.</p>}
              </>
            )}
          </section>

          <section aria-labelledby="vp-face">
            <h3 id="vp-face" className="section-title">
              Face
            </h3>
            <label className="viewport-slider">
              <span>Jaw open</span>
              <input
                type="range"
                aria-label="Jaw open"
                min={0}
                max={JAW_OPEN_MAX}
                step={JAW_OPEN_MAX / 100}
                value={Math.min(JAW_OPEN_MAX, Math.max(0, head.jaw[0]))}
                onChange={(e) => editHead((h) => ({ ...h, jaw: [Number(e.target.value), h.jaw[1], h.jaw[2]] }))}
              />
            </label>
            {head.expression.map((v, k) => {
              const [lo, hi] = range(k);
              return (
                <label className="viewport-slider" key={k}>
                  <span>Expression {k + 1}</span>
                  <input
                    type="range"
                    aria-label={`Expression ${k + 1}`}
                    min={lo}
                    max={hi}
                    step={(hi - lo) / 200 || 0.01}
                    value={v}
                    onChange={(e) => editHead((h) => ({ ...h, expression: h.expression.map((x, j) => (j === k ? rig.clampExpression(k, Number(e.target.value)) : x)) }))}
                  />
                </label>
              );
            })}
            <Button size="sm" icon="undo" onClick={reset}>
              Reset face
            </Button>
          </section>
        </aside>
      </div>
    </section>
  );
}
