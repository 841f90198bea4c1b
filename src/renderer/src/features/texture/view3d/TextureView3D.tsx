import { useCallback, useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { Camera } from '@engine/splat/camera';
import type { Composite, RasterImage } from '@shared/texture/types';
import { Button } from '../../../components/Button';
import type { FrameInfo } from '../../viewport/avatarEngine';
import { engineCamera, renderSize, STAGE_FOV } from '@engine/view/camera-math';
import { homeView } from '@engine/avatar/head-rig';
import { loadAvatar, type LoadedAvatar } from '../../viewport/loadAvatar';
import { homeSnapshot, Stage, type CameraSnapshot, type OrbitHome } from '../../viewport/Stage';
import { useAvatarEngine } from '../../viewport/useAvatarEngine';
import { useLoaded } from '../../viewport/useLoaded';
import '../../viewport/viewport.css';
import { useTextureDocument, type Uv } from '../documentStore';
import { EditPreview } from './editPreview';
import { StrokeLatency } from './strokeLatency';
import { SurfacePicker, type SurfaceHit } from './surfacePick';
import './view3d.css';

/** What the 3D view needs of the texture editor's document store (`../documentStore.ts`, a zustand store). */
export interface TextureEditorState {
  composite: Composite | null;
  /** The bake's colour map the composite is made over. */
  base: RasterImage | null;
  compositeVersion: number;
  beginStroke(uv: Uv, pressure: number): void;
  strokeTo(uv: Uv, pressure: number, options?: { lift?: boolean }): void;
  endStroke(): void;
  pickColourAt(uv: Uv): unknown;
}
export interface TextureEditorStore {
  getState(): TextureEditorState;
  subscribe(listener: (state: TextureEditorState, previous: TextureEditorState) => void): () => void;
}

const MAX_RENDER_SIDE = { cpu: 360, gpu: 1600 };


/**
 * The texture editor's live 3D view: the baked avatar (falls back to the trained one) rendered by the project's
 * engine under an orbit camera, neutral pose. Every composite change computes the avatar *Apply to avatar* will write
 * (`EditPreview`: colours re-sampled, texel-sized Gaussians along the edit's edges) and uploads it before re-rendering,
 * so what the view shows is what Apply gives; the overlay shows the last stroke → render latency. In paint
 * mode a pointer on the head paints at the texel under it (ray → first hit on the mesh → UV); Alt-click (or I +
 * click) picks the colour there.
 */
export function TextureView3D({ avatarId, store = useTextureDocument }: { avatarId: string; store?: TextureEditorStore }) {
  const load = useLoaded(avatarId, () => loadAvatar(avatarId, { bakedAvatar: true }));
  if (load.state !== 'ready')
    return (
      <section className="texture-view3d" aria-label="3D view" data-testid="texture-view3d" data-state={load.state}>
        <p className={load.state === 'error' ? 'texture-view3d-message' : 'loading'} role={load.state === 'error' ? 'alert' : 'status'}>
          {load.state === 'loading' ? 'Loading the avatar…' : `Could not show the avatar in 3D: ${load.message}`}
        </p>
      </section>
    );
  return <AvatarView3D key={avatarId} avatar={load.value} store={store} />;
}

function AvatarView3D({ avatar, store }: { avatar: LoadedAvatar; store?: TextureEditorStore }) {
  const { rig, data } = avatar;
  const vertices = useMemo(() => rig.vertices(rig.neutral(), false), [rig]);
  const home = useMemo<OrbitHome>(() => homeView(rig, STAGE_FOV), [rig]);
  const picker = useMemo(() => (rig.model.uv ? new SurfacePicker(rig.model.triangles, rig.model.uv, vertices) : null), [rig, vertices]);
  const [homeKey, setHomeKey] = useState(0);
  const [mode, setMode] = useState<'orbit' | 'paint'>('orbit');
  const [frame, setFrame] = useState<FrameInfo | null>(null);
  const [latencyMs, setLatencyMs] = useState<number | null>(null);
  const [colourError, setColourError] = useState<string | null>(null);

  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const stageRef = useRef<HTMLDivElement | null>(null);
  const snapshotRef = useRef<CameraSnapshot | null>(null);
  const cameraRef = useRef<Camera | null>(null);
  const maxSide = useRef(MAX_RENDER_SIDE.gpu);
  const editPreview = useMemo(() => (rig.model.uv ? new EditPreview(data, rig.model.uv, { vertices, triangles: rig.model.triangles }) : null), [data, rig, vertices]);
  const shownCount = useRef(data.count);
  const [gaussians, setGaussians] = useState(data.count);
  const latency = useRef(new StrokeLatency());

  const requestFrame = useCallback(() => {
    const engine = engineRef.current, stage = stageRef.current;
    const snap = snapshotRef.current ?? (stage ? homeSnapshot(home, stage.clientWidth, stage.clientHeight) : null);
    if (!engine || !snap || snap.cssWidth < 1 || snap.cssHeight < 1) return;
    const { width, height } = renderSize(snap.cssWidth, snap.cssHeight, window.devicePixelRatio || 1, maxSide.current);
    cameraRef.current = engineCamera(snap, width, height);
    engine.request({ vertices, camera: cameraRef.current });
  }, [home, vertices]);

  /** Shows the edited avatar under the store's composite and re-renders; `editAt` = when the edit happened (null: not an edit). */
  const showComposite = useCallback(
    (composite: Composite | null, base: RasterImage | null, editAt: number | null) => {
      const engine = engineRef.current;
      if (!engine) return;
      if (!composite || !base || !editPreview) return requestFrame(); // the baked avatar until the document has loaded
      try {
        const { avatar } = editPreview.apply(composite, base);
        // Same Gaussians (no edges to draw, or the same ones): only the colours change.
        if (avatar.count === shownCount.current && avatar.count === data.count) engine.setColours(avatar.sh);
        else engine.setGaussians(avatar);
        shownCount.current = avatar.count;
        setGaussians(avatar.count);
      } catch (err) {
        setColourError(err instanceof Error ? err.message : String(err));
        return;
      }
      if (editAt !== null) latency.current.edited(editAt);
      requestFrame();
    },
    [data, editPreview, requestFrame],
  );
  /** Composite changes arrive with every pointer move; the edited avatar is computed at most once per animation frame. */
  const pendingEdit = useRef<{ at: number } | null>(null);
  const scheduleComposite = useCallback(
    (editAt: number) => {
      if (pendingEdit.current) return;
      pendingEdit.current = { at: editAt };
      requestAnimationFrame(() => {
        const at = pendingEdit.current?.at ?? editAt;
        pendingEdit.current = null;
        const state = store?.getState();
        if (state) showComposite(state.composite, state.base, at);
      });
    },
    [store, showComposite],
  );

  const onFrame = useCallback((info: FrameInfo) => {
    setFrame(info);
    const ms = latency.current.rendered(performance.now(), info.ms);
    if (ms !== null) setLatencyMs(ms);
  }, []);

  const { engineRef, status: engineStatus } = useAvatarEngine(canvasRef, data, rig.model, onFrame, (_engine, cpu) => {
    maxSide.current = cpu ? MAX_RENDER_SIDE.cpu : MAX_RENDER_SIDE.gpu;
    shownCount.current = data.count;
    if (store) showComposite(store.getState().composite, store.getState().base, null);
    else requestFrame();
  });
  const engineState = colourError ? { state: 'error' as const, message: colourError } : engineStatus;

  // Every composite change (stroke, sticker move, undo, layer toggle) → colours → render.
  useEffect(() => {
    if (!store) return;
    return store.subscribe((state, previous) => {
      if (state.compositeVersion !== previous.compositeVersion || state.composite !== previous.composite) scheduleComposite(performance.now());
    });
  }, [store, scheduleComposite]);

  const onCamera = useCallback(
    (c: CameraSnapshot) => {
      snapshotRef.current = c;
      requestFrame();
    },
    [requestFrame],
  );

  // Painting and picking: stage pixel → engine pixel → first hit → UV.
  const pickKey = useRef(false);
  useEffect(() => {
    const down = (e: KeyboardEvent) => e.key.toLowerCase() === 'i' && (pickKey.current = true);
    const up = (e: KeyboardEvent) => e.key.toLowerCase() === 'i' && (pickKey.current = false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, []);
  const hitAtPointer = (e: ReactPointerEvent): SurfaceHit | null => {
    const cam = cameraRef.current, stage = stageRef.current;
    if (!cam || !stage || !picker) return null;
    const r = stage.getBoundingClientRect();
    return picker.pick(cam, ((e.clientX - r.left) / r.width) * cam.width, ((e.clientY - r.top) / r.height) * cam.height);
  };
  const uvOf = (hit: SurfaceHit): Uv => ({ u: hit.uv[0], v: hit.uv[1] });
  const painting = useRef(false);
  /** The stroke's last hit: a move onto another UV chart lifts the brush instead of painting a line across the atlas. */
  const lastHit = useRef<SurfaceHit | null>(null);
  const pressureOf = (e: ReactPointerEvent) => (e.pointerType === 'pen' ? e.pressure : 1);
  const onPointerDown = (e: ReactPointerEvent) => {
    if (!store || e.button !== 0) return;
    const picking = e.altKey || pickKey.current;
    if (!picking && mode !== 'paint') return;
    const hit = hitAtPointer(e);
    e.preventDefault();
    e.stopPropagation();
    if (!hit) return;
    if (picking) return store.getState().pickColourAt(uvOf(hit));
    painting.current = true;
    lastHit.current = hit;
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    store.getState().beginStroke(uvOf(hit), pressureOf(e));
  };
  const onPointerMove = (e: ReactPointerEvent) => {
    if (!painting.current || !store || !picker) return;
    const hit = hitAtPointer(e);
    if (!hit) return;
    const lift = lastHit.current !== null && picker.crossesSeam(lastHit.current, hit);
    lastHit.current = hit;
    store.getState().strokeTo(uvOf(hit), pressureOf(e), { lift });
  };
  const endStroke = () => {
    if (!painting.current || !store) return;
    painting.current = false;
    store.getState().endStroke();
  };

  const status = engineState.state === 'error' ? 'error' : frame ? 'ready' : 'rendering';
  return (
    <section className="texture-view3d" aria-label="3D view" data-testid="texture-view3d" data-state={status} data-frames={frame?.frames ?? 0}>
      <div className="texture-view3d-toolbar" role="group" aria-label="3D view mode">
        <Button size="sm" aria-pressed={mode === 'orbit'} onClick={() => setMode('orbit')}>
          Orbit
        </Button>
        <Button size="sm" aria-pressed={mode === 'paint'} disabled={!store || !picker} onClick={() => setMode('paint')}>
          Paint on 3D
        </Button>
        <Button size="sm" icon="fit" iconOnly label="Reset view" onClick={() => setHomeKey((k) => k + 1)} />
      </div>
      <div
        className="viewport-stage texture-view3d-stage"
        data-testid="texture-view3d-stage"
        data-mode={mode}
        ref={stageRef}
        onPointerDownCapture={onPointerDown}
        onPointerMoveCapture={onPointerMove}
        onPointerUpCapture={endStroke}
        onPointerCancelCapture={endStroke}
      >
        <Stage home={home} homeKey={homeKey} onCamera={onCamera} engineCanvas={canvasRef} vertices={vertices} triangles={rig.model.triangles} showMesh={false} centres={null} />
        {/* In paint mode this layer takes the pointer, so the orbit controls underneath do not move the camera. */}
        {mode === 'paint' && <div className="texture-view3d-paint-layer" />}
        {engineState.state === 'error' && (
          <div className="viewport-stage-message" role="alert">
            {engineState.message}
          </div>
        )}
        <div className="viewport-stats" data-testid="texture-view3d-stats" aria-live="off">
          {frame ? `${frame.ms.toFixed(0)} ms · ${frame.width}×${frame.height} · ${gaussians.toLocaleString()} Gaussians` : engineState.state === 'starting' ? 'Starting WebGPU…' : ''}
          {latencyMs !== null && <span data-testid="texture-view3d-latency" data-ms={latencyMs.toFixed(1)}> · stroke → render {latencyMs.toFixed(0)} ms</span>}
        </div>
      </div>
    </section>
  );
}
