import { useEffect, useState } from 'react';
import { useSettings } from '../../store/settings';

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Puts the resolved theme ('light' | 'dark') on <html data-theme>, following the system when asked to. */
export function useThemeClass(): void {
  const theme = useSettings((s) => s.theme);
  const [systemDark, setSystemDark] = useState(() => darkQuery().matches);
  useEffect(() => {
    const mq = darkQuery();
    const onChange = () => setSystemDark(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  const resolved = theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    document.documentElement.dataset.themeChoice = theme;
  }, [resolved, theme]);
}
