/**
 * The standalone web player: loads an avatar bundle (`avatar.avatar` beside this page, or `?bundle=URL`), poses it
 * with the bundle's own head (`bundlePoser`, the posing the studio uses) and renders it with the studio's WGSL engine
 * on `navigator.gpu` (the viewport's `AvatarEngine`). Orbit controls, expression sliders, and a timeline that plays
 * the bundle's tracked motion, or webcam driving (webcam-driver.ts: the studio's tracker and reenactment in the page).
 * No network: everything it needs is in this folder.
 *
 * URL parameters: `bundle` (URL of the bundle), `size=WxH` (fixed render size, for reproducible screenshots),
 * `frame` (start at this tracked frame), `yaw` (degrees).
 */
import { readAvatarBundle, type AvatarBundle } from '@engine/export/avatar-bundle';
import { bundlePoser, type HeadPoser, type ResolvedPose } from '@engine/export/avatar-bundle-pose';
import { isCpuDevice } from '@engine/gpu/adapter-kind';
import { AvatarEngine, requestEngineDevice, type FrameInfo } from '../renderer/src/features/viewport/avatarEngine';
import { renderSize, STAGE_FOV } from '@engine/view/camera-math';
import { bounds, JAW_OPEN_MAX } from '@engine/avatar/head-rig';
import { orbitCamera } from '@engine/view/orbit-camera';
import { OrbitControls } from './orbit-controls';
import { applyTrackedPose, meanTranslation } from '@engine/avatar/tracked-pose';
import { applyDriverPose, faceCentroid } from '@engine/avatar/reenact';
import { WebcamDriver, type WebcamStatus } from './webcam-driver';
import type { ReenactStep } from '@engine/avatar/reenact';

interface PlayerStatus {
  state: 'loading' | 'ready' | 'error';
  frames: number;
  message: string | null;
  gaussians: number;
  motionFrames: number;
  webcam: WebcamStatus | null;
}
const status: PlayerStatus = { state: 'loading', frames: 0, message: null, gaussians: 0, motionFrames: 0, webcam: null };
(window as unknown as { avatarPlayer: PlayerStatus }).avatarPlayer = status;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('view');
const message = $('message');
const params = new URLSearchParams(location.search);

function fail(text: string): void {
  status.state = 'error';
  status.message = text;
  document.body.dataset.state = 'error';
  message.textContent = text;
}

async function loadBundle(url: string): Promise<AvatarBundle> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`Could not read the avatar bundle ${url}: ${(err as Error).message}. Open this page from a web server (e.g. \`npx http-server\` or \`python3 -m http.server\` in this folder), not as a file.`);
  }
  if (!res.ok) throw new Error(`Could not read the avatar bundle ${url} (HTTP ${res.status}).`);
  return readAvatarBundle(new Uint8Array(await res.arrayBuffer()));
}

async function start(): Promise<void> {
  const bundle = await loadBundle(params.get('bundle') ?? 'avatar.avatar');
  const poser = bundlePoser(bundle);
  const model = poser.model;
  const motion = bundle.motion?.frames ?? [];
  const mean = meanTranslation(motion);
  $('title').textContent = bundle.manifest.metadata?.name ? `${bundle.manifest.metadata.name}` : 'Avatar';
  document.title = `${$('title').textContent} — Avatar player`;

  // Face state: a tracked frame (the timeline) or free sliders.
  const E = model.expressionCount;
  let expression = new Array<number>(E).fill(0);
  let jaw = 0;
  let frameAt: number | null = null;
  let headPose = true;

  const neutral = poser.verticesOf(poser.resolve({ neutral: true }));
  const pivot = faceCentroid(neutral);
  let driven: ReenactStep | null = null;
  const b = bounds(neutral);
  const home = { target: b.centre, distance: (b.radius / Math.tan((STAGE_FOV / 2) * (Math.PI / 180))) * 1.6, yaw: ((Number(params.get('yaw')) || 0) * Math.PI) / 180, pitch: 0 };

  const engineDevice = await requestEngineDevice();
  const maxSide = isCpuDevice(engineDevice.device) || engineDevice.adapter.isFallbackAdapter ? 480 : 1600;
  const fixed = /^(\d+)x(\d+)$/.exec(params.get('size') ?? '');
  if (fixed) document.body.dataset.fixedSize = '';
  const stats = $('stats');
  const engine = new AvatarEngine(
    engineDevice,
    canvas,
    bundle.gaussians,
    model.triangles,
    model.vertexCount,
    (f: FrameInfo) => {
      status.frames = f.frames;
      if (status.state !== 'ready') {
        status.state = 'ready';
        document.body.dataset.state = 'ready';
        message.textContent = '';
      }
      stats.textContent = `${f.ms.toFixed(0)} ms · ${f.width}×${f.height} · ${bundle.gaussians.count.toLocaleString()} Gaussians · ${engineDevice.adapter.description || engineDevice.adapter.vendor || 'WebGPU'}`;
    },
    fail,
  );
  status.gaussians = engine.gaussians;
  status.motionFrames = motion.length;

  const pose = (): ResolvedPose => {
    if (driven) {
      const d = driven.params;
      const p = poser.resolve({ expression: d.expression });
      for (let k = 0; k < 3; k++) p.jointRotations[6 + k] = d.jaw[k];
      for (let k = 0; k < 6; k++) p.jointRotations[9 + k] = d.eyes[k];
      return p;
    }
    if (frameAt !== null && motion[frameAt]) return poser.resolve({ frame: motion[frameAt].idx });
    const p = poser.resolve({ expression });
    p.jointRotations[6] = jaw;
    return p;
  };
  const render = () => {
    const p = pose();
    // While the timeline drives the face, the sliders show the frame's values.
    if (frameAt !== null) inputs.forEach((input, k) => (input.value = String(k === 0 ? p.jointRotations[6] : p.expression[k - 1] ?? 0)));
    const v = poser.verticesOf(p);
    if (frameAt !== null && headPose && p.rotation && p.translation) applyTrackedPose(v, p.rotation, p.translation, mean);
    if (driven) applyDriverPose(v, driven.params.rotation, driven.params.translation, pivot);
    const rect = canvas.getBoundingClientRect();
    const size = fixed ? { width: Number(fixed[1]), height: Number(fixed[2]) } : renderSize(rect.width, rect.height, window.devicePixelRatio || 1, maxSide);
    engine.request({ vertices: v, camera: orbitCamera(controls.orbit, STAGE_FOV, size.width, size.height) });
  };
  const controls = new OrbitControls(canvas, home, render);
  new ResizeObserver(() => render()).observe(canvas);
  $('reset-view').addEventListener('click', () => controls.reset());

  // Expression sliders (jaw + each component, clamped to the head's range).
  const sliders = $('sliders');
  const inputs: HTMLInputElement[] = [];
  const addSlider = (label: string, min: number, max: number, get: () => number, set: (v: number) => void) => {
    const id = `s${inputs.length}`;
    const l = document.createElement('label');
    l.htmlFor = id;
    l.textContent = label;
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', id, min: String(min), max: String(max), step: String((max - min) / 200), value: String(get()) });
    input.addEventListener('input', () => {
      stop();
      if (frameAt !== null) {
        // Leaving the timeline: the sliders start from the frame's face.
        const p = pose();
        expression = p.expression.slice();
        jaw = p.jointRotations[6] ?? 0;
      }
      frameAt = null;
      syncTimeline();
      set(Number(input.value));
      render();
    });
    sliders.append(l, input);
    inputs.push(input);
  };
  addSlider('Jaw open', 0, JAW_OPEN_MAX, () => jaw, (v) => (jaw = v));
  for (let k = 0; k < E; k++)
    addSlider(`Expression ${k + 1}`, model.expressionRange[k * 2] ?? -3, model.expressionRange[k * 2 + 1] ?? 3, () => expression[k], (v) => (expression[k] = v));
  $('reset-face').addEventListener('click', () => {
    stop();
    frameAt = null;
    expression = new Array<number>(E).fill(0);
    jaw = 0;
    inputs.forEach((i) => (i.value = '0'));
    syncTimeline();
    render();
  });

  // Timeline: the bundle's tracked motion at its fps.
  const timeline = $<HTMLInputElement>('timeline');
  const play = $<HTMLButtonElement>('play');
  const frameOut = $('frame-out');
  const fps = bundle.motion?.fps ?? 10;
  let timer: number | null = null;
  const syncTimeline = () => {
    timeline.value = String(frameAt ?? 0);
    frameOut.textContent = frameAt === null ? '–' : `${frameAt + 1} / ${motion.length}`;
  };
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = 'Play';
    play.setAttribute('aria-pressed', 'false');
  };
  if (!motion.length) {
    $('motion').hidden = true;
  } else {
    timeline.max = String(motion.length - 1);
    timeline.addEventListener('input', () => {
      stop();
      frameAt = Number(timeline.value);
      syncTimeline();
      render();
    });
    play.addEventListener('click', () => {
      if (timer !== null) return stop();
      play.textContent = 'Pause';
      play.setAttribute('aria-pressed', 'true');
      timer = window.setInterval(() => {
        frameAt = frameAt === null ? 0 : (frameAt + 1) % motion.length;
        syncTimeline();
        render();
      }, 1000 / fps);
    });
    $<HTMLInputElement>('head-pose').addEventListener('change', (e) => {
      headPose = (e.target as HTMLInputElement).checked;
      render();
    });
    const f0 = params.get('frame');
    if (f0 !== null && motion[Number(f0)]) frameAt = Number(f0);
    syncTimeline();
  }
  setupWebcam(bundle, render, (step) => {
    stop();
    frameAt = null;
    syncTimeline();
    driven = step;
  });
  render();
}

/** The Webcam section: drive toggle, "Hold neutral", status line (fps, tracking ms, calibration). */
function setupWebcam(bundle: AvatarBundle, render: () => void, drive: (step: ReenactStep | null) => void): void {
  const toggle = $<HTMLInputElement>('webcam-drive');
  const hold = $<HTMLButtonElement>('hold-neutral');
  const line = $('webcam-status');
  if (!bundle.expressionSpace) {
    toggle.disabled = true;
    line.textContent = 'Webcam driving needs an open-head avatar (this bundle has no expression space).';
    return;
  }
  const show = (w: WebcamStatus) => {
    status.webcam = { ...w };
    hold.disabled = w.state !== 'driving';
    video.hidden = w.state !== 'driving';
    if (w.state === 'error') toggle.checked = false;
    if (w.state === 'error' || w.state === 'starting') line.textContent = w.message;
    else if (w.state === 'driving') {
      const phase = w.phase === 'calibrating' ? `calibrating ${Math.round(w.calibrationProgress * 100)} % — hold a neutral face` : w.phase === 'driving' ? 'driving' : 'waiting for a face';
      line.textContent = `${phase} · ${w.fps} fps · tracking ${w.trackMs.toFixed(0)} ms/frame${w.message ? ` · ${w.message}` : ''}`;
    } else line.textContent = 'Webcam driving is off.';
  };
  const video = $<HTMLVideoElement>('webcam-video');
  const driver = new WebcamDriver(bundle.expressionSpace, video, (step) => {
    drive(step);
    render();
  }, show);
  toggle.addEventListener('change', () => {
    if (toggle.checked) void driver.start(location.href);
    else {
      driver.stop();
      drive(null);
      render();
    }
  });
  hold.addEventListener('click', () => driver.holdNeutral());
}

start().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
