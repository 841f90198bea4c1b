import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { isKnownMethodName } from '../shared/api/method-names';
import type { CallOutcome } from '../shared/api/wire';
import type { StudioBridge } from './api';

/**
 * The only door from the sandboxed renderer to the services host: one `call` limited to StudioApi method names
 * and one event subscription. Main validates the sender and the parameters again.
 */
const bridge: StudioBridge = {
  frontDoor: 'electron',
  call(method: string, params: unknown): Promise<CallOutcome> {
    if (!isKnownMethodName(method)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown request “${method}”.` } });
    return ipcRenderer.invoke('studio:call', method, params) as Promise<CallOutcome>;
  },
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on('studio:event', handler);
    return () => {
      ipcRenderer.removeListener('studio:event', handler);
    };
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('studioBridge', bridge);
