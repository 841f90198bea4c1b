import { Toasts } from './components/Toasts';
import { ConnectionBanner } from './features/connection/ConnectionBanner';
import { ReadOnlyBanner } from './features/connection/ReadOnlyBanner';
import { JobsPanel } from './features/jobs/JobsPanel';
import { LibraryView } from './features/library/LibraryView';
import { TrashView } from './features/library/TrashView';
import { ProjectView } from './features/project/ProjectView';
import { GlobalShortcuts } from './features/shell/GlobalShortcuts';
import { Modals } from './features/shell/Modals';
import { TopBar } from './features/shell/TopBar';
import { useThemeClass } from './features/shell/useThemeClass';
import { useRoute } from './store/route';

/** The shell: top bar, banners, the page for the current route, the jobs drawer, dialogs and notifications. */
export function App() {
  useThemeClass();
  const route = useRoute();
  return (
    <div className="app">
      <TopBar />
      <ConnectionBanner />
      <ReadOnlyBanner />
      <div className="app-body">
        <main className="app-main">
          {route.name === 'library' && <LibraryView />}
          {route.name === 'trash' && <TrashView />}
          {route.name === 'project' && <ProjectView key={route.id} id={route.id} />}
        </main>
        <JobsPanel />
      </div>
      <GlobalShortcuts />
      <Modals />
      <Toasts />
    </div>
  );
}
