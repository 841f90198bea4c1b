import { useCallback, useEffect, useRef, useState } from 'react';
import { avatarRest, LIVE_DRIVING, neutralParams, type AvatarExpressionSpace, type AvatarHeadParams } from '@engine/avatar/reenact';
import { LiveLoop, type LiveCalibration } from '@tracking/live-loop';
import type { Project } from '@shared/model/project';
import { Button } from '../../components/Button';
import { avatarTitle } from '../../lib/avatarText';
import { isTypingTarget } from '../../lib/platform';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';
import { VIEWPORT_BACKGROUND } from '../viewport/avatarEngine';
import { loadAvatar, type LoadedAvatar } from '../viewport/loadAvatar';
import { useAvatarEngine } from '../viewport/useAvatarEngine';
import { useLoaded } from '../viewport/useLoaded';
import { VideoFrameWatcher } from './frameGrabber';
import { LiveHead } from './liveHead';
import { describeMediaError, listCameras, openCamera, SourceProblem, stopStream, streamAlive, UNPLUGGED_MESSAGE } from './liveSource';
import { RollingRate, RollingStat, type LiveMetrics } from './metrics';
import { HostTracker, PageTracker, TrackingPaths, type PathState, type TrackingMode } from './trackingPath';
import { DriverRecorder, recorderMimeType, startDrive, uploadRecording } from './recording';
import './live.css';
import { LoadPending } from '../viewport/LoadPending';

/** Render size (square) of the avatar: CPU adapters (SwiftShader) get a small image, GPUs the issue's 512². */
const RENDER_SIDE = { cpu: 256, gpu: 512 };
/** Frames averaged by "Hold a neutral face" (and by the automatic calibration on the first frames). */
const CALIBRATION_FRAMES = LIVE_DRIVING.calibrationFrames;
const COUNTDOWN_S = 3;
/** "Hold a neutral face" gives up after this long without its frames (the previous calibration stays). */
const CALIBRATION_TIMEOUT_MS = 15_000;
const CALIBRATION_FAILED = 'No face was seen long enough to calibrate. Face the camera in good light and try again.';

export interface DriveSettings {
  /** Expression intensity (0–2, 1 = as tracked). */
  intensity: number;
  followPose: boolean;
  /** 0 = raw … 1 = heaviest One Euro smoothing (the reenactment core's scale). */
  smoothing: number;
  mirror: boolean;
}
const DEFAULT_SETTINGS: DriveSettings = { intensity: LIVE_DRIVING.intensity, followPose: LIVE_DRIVING.followPose, smoothing: LIVE_DRIVING.smoothing, mirror: LIVE_DRIVING.mirror };

/** Backgrounds of the avatar view: the stage colour, black, or a key green a streaming tool can make transparent. */
const BACKGROUNDS = {
  stage: { label: 'Stage grey', rgb: VIEWPORT_BACKGROUND },
  black: { label: 'Black', rgb: [0, 0, 0] as [number, number, number] },
  green: { label: 'Key green (chroma key)', rgb: [0, 1, 0] as [number, number, number] },
} as const;
type BackgroundId = keyof typeof BACKGROUNDS;

/** Tracking paths of the select (trackingPath.ts). */
const TRACKING_MODES: Record<TrackingMode, string> = { auto: 'Automatic (the faster)', host: 'Services host', page: 'This page (WebAssembly)' };
const PATH_NAMES = { host: 'host', page: 'page' } as const;

/**
 * The Live page: a camera (or a video file) drives the trained avatar frame by frame. Frames are tracked where this
 * machine tracks them faster — in the services host (`live.track`) or in a worker of this page (onnxruntime-web),
 * measured on the first frames (trackingPath.ts) — retargeted relative to the driver's calibrated neutral face, and
 * rendered by the viewport's engine beside the camera view, with a metrics overlay and a clean full-window view (F)
 * for screen capture.
 */
export function LiveView({ project, avatarId }: { project: Project; avatarId: string }) {
  const load = useLoaded(avatarId, () =>
    loadAvatar(avatarId).then(async (avatar) => {
      // The expression space again, as the reenactment core takes it (loadAvatar checked that it exists).
      const res = await fetch(studio().assetUrl(avatar.info.avatar.projectId, avatar.info.files.expressionSpace!));
      if (!res.ok) throw new Error(`Could not read the avatar's expression space (HTTP ${res.status}).`);
      return { avatar, space: (await res.json()) as AvatarExpressionSpace };
    }),
  );
  const back = () => navigate({ name: 'project', id: project.id });
  if (load.state !== 'ready')
    return (
      <section className="live" aria-label="Live" data-testid="live" data-state={load.state}>
        <LoadPending load={load} failTitle="This avatar cannot be driven live" onBack={back} />
      </section>
    );
  return <LiveStage key={avatarId} avatar={load.value.avatar} space={load.value.space} onBack={back} />;
}

type Source = { kind: 'camera'; deviceId: string | null } | { kind: 'file'; name: string; url: string; file: File };
type Recording =
  | { state: 'idle' }
  | { state: 'countdown' }
  | { state: 'recording'; recorder: DriverRecorder }
  | { state: 'uploading'; fraction: number }
  | { state: 'started'; title: string }
  | { state: 'failed'; message: string };

/** The live loop's calibration (none, auto, capturing, done, failed), and the page's own 3-2-1 before "Hold a neutral face". */
type Calibration = LiveCalibration | { state: 'countdown'; left: number };

/** The overlay's path: `host`/`page`, and how it was chosen (auto: with the trial's medians). */
function pathLabel(st: PathState | null, mode: TrackingMode): string {
  const active = PATH_NAMES[st?.active ?? 'host'];
  if (mode !== 'auto') return `${active} (chosen)`;
  if (!st || (st.trial !== 'done' && st.trial !== null)) return `${active} (measuring)`;
  return `${active} (auto${st.hostMs !== null && st.pageMs !== null ? `: host ${st.hostMs.toFixed(0)} / page ${st.pageMs.toFixed(0)} ms` : ''})`;
}

/** The panel's note under the tracking select. */
function pathHint(st: PathState | null, mode: TrackingMode): string {
  const problem = st?.pageProblem ? ` The page's tracker is not available: ${st.pageProblem}.` : '';
  if (mode === 'host') return `Frames are tracked in the services host.${problem}`;
  if (mode === 'page') return `${st?.active === 'page' ? 'Frames are tracked in this page (onnxruntime-web in a worker).' : 'Loading the tracker into this page…'}${problem}`;
  if (!st || st.trial === 'host' || st.trial === 'loading-page') return 'Measuring where tracking is faster: loading the tracker into this page (the host tracks meanwhile)…';
  if (st.trial === 'comparing') return 'Measuring where tracking is faster: the services host and this page in turns…';
  if (st.pageMs === null) return `Tracking in the services host.${problem}`;
  return `Tracking in ${st.active === 'page' ? 'this page' : 'the services host'}: measured ${st.hostMs?.toFixed(0)} ms a frame in the host, ${st.pageMs.toFixed(0)} ms in the page.`;
}

function LiveStage({ avatar, space, onBack }: { avatar: LoadedAvatar; space: AvatarExpressionSpace; onBack: () => void }) {
  const { rig, data, fit } = avatar;
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const headRef = useRef<LiveHead>(new LiveHead(rig));
  const sideRef = useRef(RENDER_SIDE.gpu);
  const [background, setBackground] = useState<BackgroundId>('stage');
  const backgroundRef = useRef<BackgroundId>(background);
  backgroundRef.current = background;

  const [source, setSource] = useState<Source>({ kind: 'camera', deviceId: null });
  const [runId, setRunId] = useState(0);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [problem, setProblem] = useState<SourceProblem | null>(null);
  const [running, setRunning] = useState(false);
  const [face, setFace] = useState<{ tracked: boolean; reason: string | null } | null>(null);
  const faceRef = useRef(face);
  faceRef.current = face;
  const [settings, setSettings] = useState<DriveSettings>(DEFAULT_SETTINGS);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const [calibration, setCalibration] = useState<Calibration>({ state: 'none' });
  const [clean, setClean] = useState(false);
  const [metrics, setMetrics] = useState<LiveMetrics>({ fps: null, trackFps: null, trackMs: null, workMs: null, renderMs: null, latencyMs: null });
  // Where frames are tracked: measured per machine on the first frames (auto), or as chosen.
  const [trackingMode, setTrackingMode] = useState<TrackingMode>('auto');
  const [pathState, setPathState] = useState<PathState | null>(null);
  const [paths] = useState(() => new TrackingPaths('auto', { host: () => new HostTracker(), page: () => new PageTracker() }, (st) => setPathState(st)));
  // Per-frame figures reach React twice a second (the overlay's tick), not on every frame: a re-render of the page per
  // tracked or rendered frame is main-thread time the loop and the engine need.
  const [frames, setFrames] = useState(0);
  const framesRef = useRef(0);
  const [quality, setQuality] = useState<{ clamped: number; residualMm: number } | null>(null);
  const qualityRef = useRef<{ clamped: number; residualMm: number } | null>(null);

  // Driving state shared by the tracking loop and the engine callbacks (refs: they run outside React's renders).
  // The live driving loop (native/tracking/live-loop.ts, the web player's too): frame → tracking path → the
  // reenactment core's Reenactor (calibration, retargeting, clamping, smoothing — the same code the avatar.drive job
  // runs). It calibrates itself on the first frames until "Hold a neutral face" is used.
  // The avatar's rest expression (its footage's closed mouth): recorded with the expression space, else estimated from
  // the capture's fitted frames — the footage's mean face is half open when the mouth opened in it (avatar-rest.ts).
  const [rest] = useState(() => avatarRest(space, fit ? { model: rig.model, frames: fit.frames } : null) ?? undefined);
  const [live] = useState(
    () =>
      new LiveLoop(space, {
        reenact: { ...DEFAULT_SETTINGS, calibrationFrames: CALIBRATION_FRAMES, autoCalibrate: true, avatarNeutral: rest },
        calibrationTimeoutMs: CALIBRATION_TIMEOUT_MS,
        // the automatic calibration finishing during the page's 3-2-1 does not replace the countdown
        onCalibration: (c) => setCalibration((old) => (old.state === 'countdown' && c.state === 'auto' ? old : c)),
      }),
  );
  useEffect(() => () => live.dispose(), [live]);
  const latestRef = useRef<{ params: AvatarHeadParams; captureTime: number } | null>(null);
  /** The parameters on screen (re-rendered when the background changes without a new frame). */
  const shownRef = useRef<AvatarHeadParams | null>(null);
  const renderingRef = useRef<{ captureTime: number } | null>(null);
  const stats = useRef({ fps: new RollingRate(), trackFps: new RollingRate(), trackMs: new RollingStat(), workMs: new RollingStat(), renderMs: new RollingStat(), latencyMs: new RollingStat() });

  /** Sends the newest driven pose to the engine when it is idle (one frame in flight, the rest dropped). */
  const pump = useCallback(() => {
    const engine = engineRef.current, latest = latestRef.current;
    if (!engine || !latest || renderingRef.current) return;
    latestRef.current = null;
    shownRef.current = latest.params;
    renderingRef.current = { captureTime: latest.captureTime };
    const side = sideRef.current;
    engine.request({ vertices: headRef.current.vertices(latest.params), camera: headRef.current.camera(side, side), background: BACKGROUNDS[backgroundRef.current].rgb });
  }, []);

  // The engine: the viewport's modules, one WebGPU device for the life of the page.
  const { engineRef, status: engineState } = useAvatarEngine(
    canvasRef,
    data,
    rig.model,
    (info) => {
      const now = performance.now();
      const s = stats.current;
      s.renderMs.add(info.ms);
      s.fps.tick(now);
      if (renderingRef.current) s.latencyMs.add(now - renderingRef.current.captureTime);
      renderingRef.current = null;
      framesRef.current = info.frames;
      // the avatar view's data-frames follows every frame (tests and benches count frames with it)
      if (avatarBoxRef.current) avatarBoxRef.current.dataset.frames = String(info.frames);
      pump();
    },
    (_engine, cpu) => {
      sideRef.current = cpu ? RENDER_SIDE.cpu : RENDER_SIDE.gpu;
      // The neutral avatar until the first tracked frame.
      latestRef.current = { params: neutralParams(space, rest), captureTime: performance.now() };
      pump();
    },
  );

  // The overlay's figures, twice a second.
  useEffect(() => {
    const t = setInterval(() => {
      const s = stats.current, now = performance.now();
      setMetrics({ fps: s.fps.rate(now), trackFps: s.trackFps.rate(now), trackMs: s.trackMs.median, workMs: s.workMs.median, renderMs: s.renderMs.median, latencyMs: s.latencyMs.median });
      setFrames(framesRef.current);
      const q = qualityRef.current;
      setQuality((old) => (q && (!old || old.clamped !== q.clamped || Math.abs(old.residualMm - q.residualMm) >= 0.05) ? q : old));
    }, 500);
    return () => clearInterval(t);
  }, []);

  // The source: open it, then track frame after frame until it stops, fails or changes.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let stopped = false;
    let stopWatching = (): void => undefined;
    setProblem(null);
    setRunning(false);
    const fail = (p: SourceProblem) => {
      if (stopped) return;
      setProblem(p);
      setRunning(false);
      setFace(null);
    };
    const run = async () => {
      if (source.kind === 'camera') {
        const stream = await openCamera(source.deviceId);
        if (stopped) return stopStream(stream);
        streamRef.current = stream;
        const track = stream.getVideoTracks()[0]!;
        track.addEventListener('ended', () => fail(new SourceProblem('unplugged', UNPLUGGED_MESSAGE)));
        video.removeAttribute('src');
        video.srcObject = stream;
        listCameras().then(
          (list) => !stopped && setCameras(list),
          () => undefined,
        );
      } else {
        video.srcObject = null;
        video.src = source.url;
        video.loop = true;
      }
      video.muted = true;
      await video.play().catch((err: unknown) => {
        throw source.kind === 'file' ? new SourceProblem('file', `The video file cannot be played here (${(err as Error).message}). Choose an MP4 or WebM file.`) : describeMediaError(err);
      });
      if (stopped) return;
      setRunning(true);
      const frames = new VideoFrameWatcher(video);
      stopWatching = () => frames.stop();
      const alive = () => {
        if (source.kind === 'camera' && !streamAlive(streamRef.current)) throw new SourceProblem('unplugged', UNPLUGGED_MESSAGE);
      };
      let seq = 0;
      await live.run(
        {
          // the newest frame since the last one tracked, at once if it came while that one was tracked
          next: async () => {
            alive();
            try {
              const next = await frames.next(seq, 3000);
              seq = next.seq;
              return next;
            } catch {
              alive();
              return null;
            }
          },
        },
        { track: (frame, reset) => paths.track(video, frame.captureTime, reset) },
        ({ frame, track: r, step }) => {
          const s = stats.current;
          s.trackMs.add(r.roundTripMs);
          s.workMs.add(r.workMs);
          s.trackFps.tick(performance.now());
          if (!faceRef.current || faceRef.current.tracked !== r.tracked || faceRef.current.reason !== r.reason) setFace({ tracked: r.tracked, reason: r.reason });
          // calibrating, or no face: the pose on screen stays
          if (step.phase === 'calibrating' || !step.tracked) return;
          latestRef.current = { params: step.params, captureTime: frame.captureTime };
          qualityRef.current = { clamped: step.params.clamped, residualMm: step.params.residualMm };
          pump();
        },
      );
    };
    run().catch((err: unknown) => fail(err instanceof SourceProblem ? err : new SourceProblem('busy', `Live tracking stopped: ${err instanceof Error ? err.message : String(err)}. Press Retry.`)));
    return () => {
      stopped = true;
      live.stop();
      stopWatching();
      stopStream(streamRef.current);
      streamRef.current = null;
      video.pause();
      video.srcObject = null;
    };
    // the frame callback reads refs only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, runId]);

  // The tracking path as chosen; its trackers (the host's session, the page's worker) go with the page.
  useEffect(() => {
    paths.setMode(trackingMode);
    // a new trial measures afresh: the figures of the previous path are not this one's
    stats.current.trackMs = new RollingStat();
    stats.current.workMs = new RollingStat();
  }, [paths, trackingMode]);
  useEffect(() => () => paths.close(), [paths]);

  useEffect(() => {
    if (!shownRef.current || latestRef.current) return;
    latestRef.current = { params: shownRef.current, captureTime: performance.now() };
    pump();
  }, [background, pump]);

  // Settings go to the reenactment core as they change (mirror needs no recalibration).
  useEffect(() => {
    live.setOptions(settings);
  }, [live, settings]);

  // "Hold a neutral face": 3-2-1, then the next CALIBRATION_FRAMES tracked frames.
  const calibrate = (then?: () => void) => {
    let left = COUNTDOWN_S;
    setCalibration({ state: 'countdown', left });
    const tick = setInterval(() => {
      left--;
      if (left > 0) return setCalibration({ state: 'countdown', left });
      clearInterval(tick);
      then?.();
      // the live loop collects the frames; without a face for CALIBRATION_TIMEOUT_MS it keeps the previous calibration
      live.holdNeutral();
    }, 1000);
  };

  // Record: countdown (the neutral face, also calibrating the live view), record, upload, render with drive.start.
  const [recording, setRecording] = useState<Recording>({ state: 'idle' });
  const [sideBySide, setSideBySide] = useState(true);
  const [videoSize, setVideoSize] = useState(256);
  const renderRecording = async (blob: Blob, name: string) => {
    try {
      setRecording({ state: 'uploading', fraction: 0 });
      const uploadId = await uploadRecording(blob, name, (fraction) => setRecording({ state: 'uploading', fraction }));
      const job = await startDrive(avatar.info.avatar.id, uploadId, { ...settingsRef.current, sideBySide, size: videoSize, calibrationFrames: CALIBRATION_FRAMES });
      setRecording({ state: 'started', title: job.title });
    } catch (err) {
      setRecording({ state: 'failed', message: `The recording could not be rendered: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  const record = () => {
    if (source.kind === 'file') {
      // A chosen video is rendered as it is (its first frames are taken as the neutral).
      void renderRecording(source.file, source.name);
      return;
    }
    const stream = streamRef.current;
    if (!stream || !streamAlive(stream)) return;
    setRecording({ state: 'countdown' });
    calibrate(() => {
      try {
        setRecording({ state: 'recording', recorder: new DriverRecorder(stream) });
      } catch (err) {
        setRecording({ state: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
    });
  };
  const stopRecording = () => {
    if (recording.state !== 'recording') return;
    void recording.recorder.stop().then(
      (blob) => renderRecording(blob, `live-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`),
      (err: unknown) => setRecording({ state: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  };
  // The camera going away ends a recording in progress: what was recorded is still rendered.
  useEffect(() => {
    if (problem && recording.state === 'recording') stopRecording();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [problem]);

  // F: the clean full-window avatar view for screen capture; Escape leaves it (and only that: the capture phase runs
  // before the project's Escape = back shortcut, which then sees the event handled).
  const cleanRef = useRef(clean);
  cleanRef.current = clean;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(e.target) || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      if (e.key === 'f' || e.key === 'F') {
        e.preventDefault();
        setClean((c) => !c);
      } else if (e.key === 'Escape' && cleanRef.current) {
        e.preventDefault();
        setClean(false);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  const avatarBoxRef = useRef<HTMLDivElement | null>(null);
  const fullscreen = () => {
    setClean(true);
    void avatarBoxRef.current?.requestFullscreen?.().catch(() => undefined);
  };
  useEffect(() => {
    if (!clean && document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  }, [clean]);

  /** Another driver may sit in front of another source: calibrate afresh. */
  const newDriver = () => live.newDriver();
  const retry = () => {
    setProblem(null);
    setRunId((n) => n + 1);
  };
  const chooseFile = (file: File | undefined) => {
    if (!file) return;
    if (source.kind === 'file') URL.revokeObjectURL(source.url);
    newDriver();
    setSource({ kind: 'file', name: file.name, url: URL.createObjectURL(file), file });
  };
  const chooseCamera = (deviceId: string | null) => {
    if (source.kind === 'file') URL.revokeObjectURL(source.url);
    newDriver();
    setSource({ kind: 'camera', deviceId });
  };
  const fileInput = useRef<HTMLInputElement | null>(null);

  const noExpressions = rig.expressionCount === 0;
  const fmt = (v: number | null, digits = 0) => (v === null ? '–' : v.toFixed(digits));
  const cameraValue = source.kind === 'file' ? '__file' : (source.deviceId ?? '');

  return (
    <section className="live" aria-label="Live" data-testid="live" data-state="ready">
      <header className="live-header">
        <Button variant="ghost" icon="back" onClick={onBack}>
          Project
        </Button>
        <h2 className="live-title">Live · {avatarTitle(avatar.info.avatar)}</h2>
        <span className="muted">{data.count.toLocaleString()} Gaussians</span>
      </header>
      <div className="live-body">
        <div className="live-views">
          <div className="live-camera" data-testid="live-camera">
            <video ref={videoRef} className={settings.mirror ? 'live-video mirrored' : 'live-video'} playsInline muted aria-label="Driving video" />
            {problem ? (
              <div className="live-problem" role="alert" data-testid="live-problem" data-kind={problem.kind}>
                <p>{problem.message}</p>
                <div className="live-row">
                  <Button variant="primary" icon="undo" onClick={retry}>
                    Retry
                  </Button>
                  <Button icon="film" onClick={() => fileInput.current?.click()}>
                    Use a video file…
                  </Button>
                </div>
              </div>
            ) : (
              <>
                {!running && <p className="live-camera-note" role="status">{source.kind === 'camera' ? 'Starting the camera…' : 'Opening the video…'}</p>}
                {running && face && !face.tracked && (
                  <p className="live-camera-note" role="status" data-testid="live-noface">
                    {face.reason === 'too-dark' ? 'Too dark to find a face: add light.' : 'No face in view: face the camera.'}
                  </p>
                )}
                {calibration.state === 'countdown' && (
                  <div className="live-countdown" role="status" aria-live="assertive" data-testid="live-countdown">
                    <span>Hold a neutral face</span>
                    <strong>{calibration.left}</strong>
                  </div>
                )}
                {calibration.state === 'capturing' && (
                  <div className="live-countdown" role="status" data-testid="live-countdown">
                    <span>Hold still…</span>
                    <strong>
                      {calibration.got}/{CALIBRATION_FRAMES}
                    </strong>
                  </div>
                )}
              </>
            )}
          </div>
          <div
            ref={avatarBoxRef}
            className={clean ? 'live-avatar live-clean' : 'live-avatar'}
            style={{ background: `rgb(${BACKGROUNDS[background].rgb.map((c) => Math.round(c * 255)).join(',')})` }}
            data-testid="live-avatar"
            data-frames={frames}
            onDoubleClick={() => clean && setClean(false)}
          >
            <canvas ref={canvasRef} className="live-avatar-canvas" aria-label="Driven avatar" />
            {!clean && (
              <div className="live-metrics" data-testid="live-metrics" data-path={pathState?.active ?? 'host'} data-mode={trackingMode} aria-live="off">
                <span data-testid="live-fps">fps {fmt(metrics.fps, 1)}</span> · tracking {fmt(metrics.trackMs)} ms ({fmt(metrics.trackFps, 1)}/s, {pathState?.active === 'page' ? 'worker' : 'host'} {fmt(metrics.workMs)} ms) · render{' '}
                {fmt(metrics.renderMs)} ms · latency <span data-testid="live-latency">{fmt(metrics.latencyMs)}</span> ms ·{' '}
                <span data-testid="live-path">{pathLabel(pathState, trackingMode)}</span>
              </div>
            )}
            {engineState.state === 'error' && (
              <div className="live-engine-message" role="alert">
                {engineState.message}
              </div>
            )}
          </div>
        </div>
        <aside className="live-panel" aria-label="Live controls">
          <section aria-labelledby="live-source">
            <h3 id="live-source" className="section-title">
              Driver
            </h3>
            <label className="live-field">
              <span>Source</span>
              <select
                className="select"
                aria-label="Driving source"
                value={cameraValue}
                onChange={(e) => (e.target.value === '__file' ? fileInput.current?.click() : chooseCamera(e.target.value || null))}
              >
                <option value="">Default camera</option>
                {cameras.map((c, i) => (
                  <option key={c.deviceId || i} value={c.deviceId}>
                    {c.label || `Camera ${i + 1}`}
                  </option>
                ))}
                {source.kind === 'file' && <option value="__file">{source.name}</option>}
                {source.kind !== 'file' && <option value="__file">Video file…</option>}
              </select>
            </label>
            <input ref={fileInput} type="file" accept="video/*" hidden aria-label="Driving video file" onChange={(e) => chooseFile(e.target.files?.[0])} />
            <label className="live-field">
              <span>Tracking</span>
              <select className="select" aria-label="Tracking path" value={trackingMode} onChange={(e) => setTrackingMode(e.target.value as TrackingMode)}>
                {(Object.keys(TRACKING_MODES) as TrackingMode[]).map((m) => (
                  <option key={m} value={m}>
                    {TRACKING_MODES[m]}
                  </option>
                ))}
              </select>
            </label>
            <p className="muted live-hint" data-testid="live-tracking-path">
              {pathHint(pathState, trackingMode)}
            </p>
            <Button icon="target" onClick={() => calibrate()} disabledReason={!running ? 'Start a camera or a video first.' : calibration.state === 'countdown' || calibration.state === 'capturing' ? 'Calibrating…' : null}>
              Calibrate neutral face
            </Button>
            <p className="muted live-hint" data-testid="live-calibration">
              {calibration.state === 'done'
                ? `Calibrated on ${calibration.frames} frames (held still to ${calibration.spreadMm.toFixed(1)} mm).`
                : calibration.state === 'failed'
                  ? CALIBRATION_FAILED
                  : calibration.state === 'auto'
                    ? 'Calibrated automatically on the first frames. For a better match, look at the camera with a relaxed, closed mouth and press Calibrate.'
                    : 'Look at the camera with a relaxed, closed mouth and press Calibrate: the avatar moves relative to that face.'}
            </p>
          </section>
          <section aria-labelledby="live-drive">
            <h3 id="live-drive" className="section-title">
              Driving
            </h3>
            <label className="live-field">
              <span>Expression intensity {settings.intensity.toFixed(1)}×</span>
              <input type="range" aria-label="Expression intensity" min={0} max={2} step={0.1} value={settings.intensity} onChange={(e) => setSettings((s) => ({ ...s, intensity: Number(e.target.value) }))} />
            </label>
            <label className="live-field">
              <span>Smoothing {Math.round(settings.smoothing * 100)}%</span>
              <input type="range" aria-label="Smoothing" min={0} max={1} step={0.05} value={settings.smoothing} onChange={(e) => setSettings((s) => ({ ...s, smoothing: Number(e.target.value) }))} />
            </label>
            <label className="live-check">
              <input type="checkbox" checked={settings.followPose} onChange={(e) => setSettings((s) => ({ ...s, followPose: e.target.checked }))} /> Follow head pose
            </label>
            <label className="live-check">
              <input type="checkbox" checked={settings.mirror} onChange={(e) => setSettings((s) => ({ ...s, mirror: e.target.checked }))} /> Mirror
            </label>
            <p className="muted live-hint" data-testid="live-driven">
              {noExpressions
                ? 'This avatar has no expression components (its capture showed no expression change): only the head pose and the gaze are driven.'
                : `Driven: ${space.count} expression components (clamped to the range seen in training), gaze and head pose, relative to the neutral face.`}
              {quality && ` ${quality.clamped} at the clamp; unexplained ${quality.residualMm.toFixed(1)} mm.`}
            </p>
          </section>
          <section aria-labelledby="live-output">
            <h3 id="live-output" className="section-title">
              Output
            </h3>
            <div className="live-row">
              <Button size="sm" onClick={() => setClean(true)} title="A clean avatar view filling the window, for screen capture (F; Escape leaves)">
                Clean view (F)
              </Button>
              <Button size="sm" onClick={fullscreen}>
                Full screen
              </Button>
            </div>
            <label className="live-field">
              <span>Background</span>
              <select className="select" aria-label="Background" value={background} onChange={(e) => setBackground(e.target.value as BackgroundId)}>
                {(Object.keys(BACKGROUNDS) as BackgroundId[]).map((id) => (
                  <option key={id} value={id}>
                    {BACKGROUNDS[id].label}
                  </option>
                ))}
              </select>
            </label>
            <p className="muted live-hint">
              {engineState.state === 'ready' ? `WebGPU: ${engineState.adapter}. ` : engineState.state === 'starting' ? 'Starting WebGPU… ' : ''}
              Capture the clean view with your streaming tool's window capture.
            </p>
            <div className="live-row">
              {recording.state === 'recording' ? (
                <Button size="sm" variant="danger" icon="stop" onClick={stopRecording}>
                  Stop and render
                </Button>
              ) : (
                <Button
                  size="sm"
                  variant="primary"
                  icon="film"
                  onClick={record}
                  disabledReason={
                    !running
                      ? 'Start a camera or a video first.'
                      : source.kind === 'camera' && !recorderMimeType()
                        ? 'This browser cannot record video (no MediaRecorder with WebM).'
                        : recording.state === 'countdown' || recording.state === 'uploading'
                          ? 'Busy…'
                          : null
                  }
                >
                  {source.kind === 'file' ? 'Render this video to MP4' : 'Record'}
                </Button>
              )}
            </div>
            <label className="live-check">
              <input type="checkbox" checked={sideBySide} onChange={(e) => setSideBySide(e.target.checked)} /> Side by side with the driver
            </label>
            <label className="live-field">
              <span>Video size</span>
              <select className="select" aria-label="Video size" value={videoSize} onChange={(e) => setVideoSize(Number(e.target.value))}>
                {[256, 512, 1024].map((n) => (
                  <option key={n} value={n}>
                    {n}×{n}
                    {sideBySide ? ' per side' : ''}
                  </option>
                ))}
              </select>
            </label>
            <p className="muted live-hint" role="status" data-testid="live-recording">
              {recording.state === 'countdown'
                ? 'Hold a neutral face: recording starts after the countdown.'
                : recording.state === 'recording'
                  ? 'Recording the driver… press Stop and render when done.'
                  : recording.state === 'uploading'
                    ? `Sending the recording… ${Math.round(recording.fraction * 100)} %`
                    : recording.state === 'started'
                      ? `Rendering the MP4 (${recording.title}): follow it in Jobs; it is saved with the project's exports.`
                      : recording.state === 'failed'
                        ? recording.message
                        : 'Record renders the driven avatar to MP4 with these settings (a job).'}
            </p>
          </section>
        </aside>
      </div>
    </section>
  );
}
