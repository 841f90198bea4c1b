import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectStudio } from './api/studio';
import { App } from './App';
import { useSettings } from './store/settings';
import { setStudio } from './store/studio';
import { startSync } from './store/sync';
import './styles/index.css';

// Paint the last known theme before React renders, so a reload does not flash the other theme.
const cached = useSettings.getState().theme;
const systemDark = window.matchMedia('(prefers-color-scheme: dark)').matches;
document.documentElement.dataset.theme = cached === 'system' ? (systemDark ? 'dark' : 'light') : cached;

setStudio(connectStudio());
startSync();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
