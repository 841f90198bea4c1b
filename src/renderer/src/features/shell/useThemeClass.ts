import { useEffect, useLayoutEffect, useState } from 'react';
import { useSettings } from '../../store/settings';

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

/** The theme shown now, 'light' or 'dark': the choice, or the system's when the choice is System. */
export function useResolvedTheme(): 'light' | 'dark' {
  const theme = useSettings((s) => s.theme);
  const [systemDark, setSystemDark] = useState(() => darkQuery().matches);
  useEffect(() => {
    const mq = darkQuery();
    const onChange = () => setSystemDark(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
}

/**
 * Puts the resolved theme ('light' | 'dark') on <html data-theme>, following the system when asked to. A layout
 * effect: it runs before any component's passive effects, so canvases that draw with the theme's colours in an effect
 * keyed on `useResolvedTheme()` (the timeline) read the new ones.
 */
export function useThemeClass(): void {
  const theme = useSettings((s) => s.theme);
  const resolved = useResolvedTheme();
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = resolved;
    document.documentElement.dataset.themeChoice = theme;
  }, [resolved, theme]);
}
