import { create } from 'zustand';
import type { Settings, Theme } from '@shared/model/settings';
import { errorMessage } from '../lib/errors';
import { useConnection } from './connection';
import { studio } from './studio';
import { toast } from './toasts';

const THEME_CACHE_KEY = 'avatar-studio.theme';

function cachedTheme(): Theme {
  try {
    const t = localStorage.getItem(THEME_CACHE_KEY);
    if (t === 'light' || t === 'dark' || t === 'system') return t;
  } catch {
    // storage can be unavailable (privacy settings); fall back to the system theme
  }
  return 'system';
}

function cacheTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_CACHE_KEY, theme);
  } catch {
    // not essential: the library's settings are the source of truth
  }
}

interface SettingsState {
  /** The theme shown now. Starts from this window's last known choice so the first paint does not flash. */
  theme: Theme;
  settings: Settings | null;
  load(): Promise<void>;
  apply(s: Settings): void;
  setTheme(theme: Theme): Promise<void>;
}

export const useSettings = create<SettingsState>((set, get) => ({
  theme: cachedTheme(),
  settings: null,
  async load() {
    try {
      get().apply(await studio().client.call('settings.get'));
    } catch {
      // keep the cached theme; the library error (if any) is shown by the library view
    }
  },
  apply(settings) {
    cacheTheme(settings.theme);
    set({ settings, theme: settings.theme });
  },
  async setTheme(theme) {
    const previous = get().theme;
    set({ theme });
    cacheTheme(theme);
    if (useConnection.getState().library?.readOnly) return; // shown for this window; the library cannot store it
    try {
      get().apply(await studio().client.call('settings.update', { theme }));
    } catch (e) {
      set({ theme: previous });
      cacheTheme(previous);
      toast.error(errorMessage(e));
    }
  },
}));

export const THEME_ORDER: Theme[] = ['system', 'light', 'dark'];
export const THEME_LABEL: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function nextTheme(t: Theme): Theme {
  return THEME_ORDER[(THEME_ORDER.indexOf(t) + 1) % THEME_ORDER.length];
}
