import { create } from 'zustand';
import type { StudioErrorShape } from '@shared/api/errors';
import type { AppInfo, LibraryInfo } from '@shared/model/settings';
import type { ConnectionStatus } from '../api/studio';
import { errorMessage, toErrorShape } from '../lib/errors';
import { studio } from './studio';
import { toast } from './toasts';

interface ConnectionState {
  status: ConnectionStatus;
  /** True once the first connection opened; a later 'closed' is a lost connection, not a failed start. */
  everOpened: boolean;
  app: AppInfo | null;
  library: LibraryInfo | null;
  /** Why the library could not be read (missing folder, newer schema…); null when it is fine. */
  libraryError: StudioErrorShape | null;
  setStatus(s: ConnectionStatus): void;
  loadAppInfo(): Promise<void>;
  loadLibrary(): Promise<void>;
  setLibrary(info: LibraryInfo): void;
  openLibrary(path: string, create: boolean): Promise<boolean>;
}

export const useConnection = create<ConnectionState>((set) => ({
  status: 'connecting',
  everOpened: false,
  app: null,
  library: null,
  libraryError: null,
  setStatus(status) {
    set((s) => ({ status, everOpened: s.everOpened || status === 'open' }));
  },
  async loadAppInfo() {
    try {
      set({ app: await studio().client.call('app.info') });
    } catch {
      // The about panel shows what it has; nothing else depends on app.info.
    }
  },
  async loadLibrary() {
    try {
      set({ library: await studio().client.call('library.info'), libraryError: null });
    } catch (e) {
      set({ libraryError: toErrorShape(e) });
    }
  },
  setLibrary(library) {
    set({ library, libraryError: null });
  },
  async openLibrary(path, create) {
    try {
      const library = await studio().client.call('library.open', { path, create });
      set({ library, libraryError: null });
      toast.success(`Opened the library at ${library.path}`);
      return true;
    } catch (e) {
      toast.error(errorMessage(e));
      return false;
    }
  },
}));

/** Why mutating actions are disabled, or null when the library can be written. */
export function useReadOnlyReason(): string | null {
  return useConnection((s) => {
    if (s.library?.readOnly) return s.library.readOnlyReason ?? 'This library is read-only.';
    if (s.status === 'unauthorized') return 'Not connected: open the link that web mode printed.';
    if (s.status !== 'open' && s.everOpened) return 'Not connected to the studio. Waiting for it to come back…';
    return null;
  });
}
