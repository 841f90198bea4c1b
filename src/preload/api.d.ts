import type { CallOutcome } from '../shared/api/wire';

/** What the Electron preload exposes on `window.studioBridge`. Web mode has no bridge and uses the WebSocket. */
export interface StudioBridge {
  readonly frontDoor: 'electron';
  call(method: string, params: unknown): Promise<CallOutcome>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  /** The file-system path of a File from a drop or an <input type=file> (Electron only; web mode uploads instead). */
  pathForFile(file: File): string;
}

declare global {
  interface Window {
    studioBridge?: StudioBridge;
  }
}
