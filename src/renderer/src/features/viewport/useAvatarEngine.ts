import { useEffect, useRef, useState, type RefObject } from 'react';
import { isCpuDevice } from '@engine/gpu/adapter-kind';
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import { AvatarEngine, requestEngineDevice, type FrameInfo } from './avatarEngine';

export interface EngineStatus {
  state: 'starting' | 'ready' | 'error';
  message?: string;
  /** The engine's kernel variant and the adapter's name, once ready. */
  kernels?: string;
  adapter?: string;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The avatar's engine on one WebGPU device for the life of a view (the viewport, the texture editor's 3D view, the
 * Live page): started once the canvas is mounted, destroyed on unmount or when the avatar changes. `onFrame` and
 * `onReady` are read through a ref, so new closures do not restart the engine. `onReady(engine, cpu)` runs before
 * anything is rendered; `cpu` says the device is a CPU adapter (SwiftShader), where views render smaller.
 */
export function useAvatarEngine(
  canvasRef: RefObject<HTMLCanvasElement | null>,
  data: BoundGaussianData,
  model: { triangles: Uint32Array; vertexCount: number },
  onFrame: (info: FrameInfo) => void,
  onReady?: (engine: AvatarEngine, cpu: boolean) => void,
): { engineRef: RefObject<AvatarEngine | null>; status: EngineStatus } {
  const engineRef = useRef<AvatarEngine | null>(null);
  const [status, setStatus] = useState<EngineStatus>({ state: 'starting' });
  const callbacks = useRef({ onFrame, onReady });
  callbacks.current = { onFrame, onReady };

  useEffect(() => {
    let engine: AvatarEngine | null = null;
    let cancelled = false;
    setStatus({ state: 'starting' });
    requestEngineDevice().then(
      (device) => {
        if (cancelled || !canvasRef.current) {
          device.destroy();
          return;
        }
        const cpu = isCpuDevice(device.device) || device.adapter.isFallbackAdapter;
        try {
          engine = new AvatarEngine(device, canvasRef.current, data, model.triangles, model.vertexCount, (info) => callbacks.current.onFrame(info), (message) =>
            setStatus({ state: 'error', message }),
          );
        } catch (err) {
          device.destroy();
          setStatus({ state: 'error', message: messageOf(err) });
          return;
        }
        engineRef.current = engine;
        const a = device.adapter;
        setStatus({ state: 'ready', kernels: engine.kernels, adapter: [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'WebGPU' });
        callbacks.current.onReady?.(engine, cpu);
      },
      (err: unknown) => !cancelled && setStatus({ state: 'error', message: messageOf(err) }),
    );
    return () => {
      cancelled = true;
      engineRef.current = null;
      engine?.destroy();
    };
  }, [canvasRef, data, model]);

  return { engineRef, status };
}
