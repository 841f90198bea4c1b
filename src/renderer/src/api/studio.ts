import { createStudioClient, type StudioClient } from '@shared/api/client';
import { createWebSocketTransport } from './transport-ws';

/** 'unauthorized': the host refused this page's token (web mode); reconnecting cannot help. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface StudioConnection {
  client: StudioClient;
  frontDoor: 'electron' | 'web';
  /** URL of a file inside a project's folder, for <img src> and fetch. */
  assetUrl(projectId: string, relPath: string): string;
  /** Web mode: URL of a folder export as one .zip (`/exports/<projectId>/<exportId>.zip`); null in Electron, where
   * the folder is on this machine. */
  exportZipUrl(projectId: string, exportId: string): string | null;
  onStatus(listener: (s: ConnectionStatus) => void): () => void;
}

/** Picks the transport for this window: the Electron preload bridge when present, else the web-mode WebSocket. */
export function connectStudio(): StudioConnection {
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  const bridge = window.studioBridge;
  if (bridge) {
    return {
      client: createStudioClient(bridge),
      frontDoor: 'electron',
      assetUrl: (projectId, relPath) => `studio://files/${projectId}/${relPath.split('/').map(encodeURIComponent).join('/')}`,
      exportZipUrl: () => null,
      onStatus: (l) => {
        l('open');
        return () => undefined;
      },
    };
  }
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api?token=${encodeURIComponent(token)}`;
  const transport = createWebSocketTransport({ url: wsUrl, onStatus: (s) => statusListeners.forEach((l) => l(s)) });
  return {
    client: createStudioClient(transport),
    frontDoor: 'web',
    assetUrl: (projectId, relPath) =>
      `/files/${projectId}/${relPath.split('/').map(encodeURIComponent).join('/')}?token=${encodeURIComponent(token)}`,
    exportZipUrl: (projectId, exportId) => `/exports/${encodeURIComponent(projectId)}/${encodeURIComponent(exportId)}.zip?token=${encodeURIComponent(token)}`,
    onStatus: (l) => {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
  };
}
