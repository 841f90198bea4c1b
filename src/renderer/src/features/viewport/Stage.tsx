import { Canvas, useThree } from '@react-three/fiber';
import { Component, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { BufferAttribute, BufferGeometry, PerspectiveCamera } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { STAGE_FOV } from '@engine/view/camera-math';

/** What the engine needs of the three.js camera each time it moves or the stage resizes. */
export interface CameraSnapshot {
  fov: number;
  viewGl: Float32Array;
  cssWidth: number;
  cssHeight: number;
}

export interface OrbitHome {
  target: [number, number, number];
  distance: number;
}

/** The home view as a camera snapshot, for when three.js (and so the orbit camera) is unavailable. */
export function homeSnapshot(home: OrbitHome, cssWidth: number, cssHeight: number): CameraSnapshot {
  const cam = new PerspectiveCamera(STAGE_FOV, cssWidth / Math.max(1, cssHeight));
  cam.position.set(home.target[0], home.target[1], home.target[2] + home.distance);
  cam.lookAt(...home.target);
  cam.updateMatrixWorld();
  return { fov: STAGE_FOV, viewGl: Float32Array.from(cam.matrixWorldInverse.elements), cssWidth, cssHeight };
}

/**
 * OrbitControls on R3F's camera (drag to orbit, right-drag/shift-drag to pan, wheel to zoom). Every change re-renders
 * the overlays (frameloop "demand") and reports the camera, so the engine renders the same view.
 */
function CameraRig({ home, homeKey, onCamera }: { home: OrbitHome; homeKey: number; onCamera: (c: CameraSnapshot) => void }) {
  const camera = useThree((s) => s.camera) as PerspectiveCamera;
  const gl = useThree((s) => s.gl);
  const size = useThree((s) => s.size);
  const invalidate = useThree((s) => s.invalidate);
  const controls = useMemo(() => new OrbitControls(camera, gl.domElement), [camera, gl]);
  const report = useRef(onCamera);
  report.current = onCamera;
  const sizeRef = useRef(size);
  sizeRef.current = size;

  useEffect(() => {
    const emit = () => {
      camera.updateMatrixWorld();
      report.current({ fov: camera.fov, viewGl: Float32Array.from(camera.matrixWorldInverse.elements), cssWidth: sizeRef.current.width, cssHeight: sizeRef.current.height });
      invalidate();
    };
    controls.enableDamping = false;
    controls.addEventListener('change', emit);
    return () => {
      controls.removeEventListener('change', emit);
      controls.dispose();
    };
  }, [controls, camera, invalidate]);

  // Home view (on load and on "Reset view"): in front of the face (+z), looking at the head's centre.
  useEffect(() => {
    const [x, y, z] = home.target;
    camera.fov = STAGE_FOV;
    camera.near = Math.max(0.001, home.distance / 100);
    camera.far = home.distance * 100;
    camera.position.set(x, y, z + home.distance);
    camera.up.set(0, 1, 0);
    camera.updateProjectionMatrix();
    controls.target.set(x, y, z);
    controls.update(); // emits 'change'
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [homeKey, controls, camera]);

  useEffect(() => {
    camera.updateMatrixWorld();
    report.current({ fov: camera.fov, viewGl: Float32Array.from(camera.matrixWorldInverse.elements), cssWidth: size.width, cssHeight: size.height });
  }, [size.width, size.height, camera]);
  return null;
}

/** The posed head mesh as a wireframe, in the engine's world (model space). */
function MeshOverlay({ vertices, triangles }: { vertices: Float32Array; triangles: Uint32Array }) {
  const invalidate = useThree((s) => s.invalidate);
  const geometry = useMemo(() => {
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(new Float32Array(vertices.length), 3));
    g.setIndex(new BufferAttribute(triangles, 1));
    return g;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [triangles, vertices.length]);
  useEffect(() => {
    const pos = geometry.getAttribute('position') as BufferAttribute;
    (pos.array as Float32Array).set(vertices);
    pos.needsUpdate = true;
    geometry.computeBoundingSphere();
    invalidate();
  }, [geometry, vertices, invalidate]);
  useEffect(() => () => geometry.dispose(), [geometry]);
  return (
    <mesh geometry={geometry}>
      <meshBasicMaterial color="#6e8bff" wireframe transparent opacity={0.45} depthWrite={false} />
    </mesh>
  );
}

/** Gaussian centres as screen-sized points (NaN centres of degenerate triangles are simply not drawn). */
function CentresOverlay({ centres }: { centres: Float32Array }) {
  const invalidate = useThree((s) => s.invalidate);
  const geometry = useMemo(() => {
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(centres, 3));
    return g;
  }, [centres]);
  useEffect(() => {
    invalidate();
    return () => geometry.dispose();
  }, [geometry, invalidate]);
  return (
    <points geometry={geometry} frustumCulled={false}>
      <pointsMaterial color="#f2b84b" size={2} sizeAttenuation={false} depthWrite={false} />
    </points>
  );
}

/**
 * Keeps the engine image when three.js cannot run (no WebGL context, a scene error): the overlays and the orbit
 * controls go, a note says why.
 */
class OverlayBoundary extends Component<{ children: ReactNode }, { error: string | null }> {
  override state = { error: null as string | null };
  static getDerivedStateFromError(err: unknown) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  override render() {
    if (this.state.error)
      return (
        <p className="viewport-overlay-error" role="status">
          Orbit and overlays are unavailable: {this.state.error}
        </p>
      );
    return this.props.children;
  }
}

export interface StageProps {
  home: OrbitHome;
  homeKey: number;
  onCamera: (c: CameraSnapshot) => void;
  /** The engine draws into this canvas (WebGPU); the three.js canvas with the overlays lies on top of it. */
  engineCanvas: React.RefObject<HTMLCanvasElement | null>;
  vertices: Float32Array;
  triangles: Uint32Array;
  showMesh: boolean;
  centres: Float32Array | null;
}

export function Stage({ home, homeKey, onCamera, engineCanvas, vertices, triangles, showMesh, centres }: StageProps) {
  return (
    <div className="viewport-stage-layers">
      <canvas ref={engineCanvas} className="viewport-engine-canvas" data-testid="viewport-engine-canvas" />
      <OverlayBoundary>
        <Canvas className="viewport-overlay-canvas" style={{ position: 'absolute', inset: 0 }} frameloop="demand" gl={{ alpha: true, antialias: true }} camera={{ fov: STAGE_FOV, near: 0.01, far: 100 }} data-testid="viewport-overlay-canvas">
          <CameraRig home={home} homeKey={homeKey} onCamera={onCamera} />
          {showMesh && <MeshOverlay vertices={vertices} triangles={triangles} />}
          {centres && <CentresOverlay centres={centres} />}
        </Canvas>
      </OverlayBoundary>
    </div>
  );
}
