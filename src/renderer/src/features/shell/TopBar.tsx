import { useMemo } from 'react';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { isActive, useJobs } from '../../store/jobs';
import { usePanels } from '../../store/panels';
import { useProjects } from '../../store/projects';
import { hrefOf, useRoute } from '../../store/route';
import { THEME_LABEL, nextTheme, useSettings } from '../../store/settings';
import { THEME_ICON } from '../settings/ThemePicker';

/** Brand, Library / Trash navigation, and the global tools: jobs, theme, settings, shortcuts. */
export function TopBar() {
  const route = useRoute();
  const trashCount = useProjects((s) => s.trash.length);
  const jobs = useJobs((s) => s.jobs);
  const active = useMemo(() => Object.values(jobs).filter(isActive).length, [jobs]);
  const needsAttention = useMemo(() => Object.values(jobs).some((j) => j.status === 'failed' || j.status === 'interrupted'), [jobs]);
  const jobsOpen = usePanels((s) => s.jobsOpen);
  const { toggleJobs, openModal } = usePanels.getState();
  const theme = useSettings((s) => s.theme);
  const libraryActive = route.name === 'library' || route.name === 'project';

  return (
    <header className="topbar">
      <a className="brand" href={hrefOf({ name: 'library' })} aria-label="Avatar Studio — library">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Avatar Studio</span>
      </a>
      <nav className="topnav" aria-label="Main">
        <a className={`topnav-link${libraryActive ? ' is-active' : ''}`} href={hrefOf({ name: 'library' })} aria-current={route.name === 'library' ? 'page' : undefined}>
          <Icon name="grid" /> Library
        </a>
        <a className={`topnav-link${route.name === 'trash' ? ' is-active' : ''}`} href={hrefOf({ name: 'trash' })} aria-current={route.name === 'trash' ? 'page' : undefined}>
          <Icon name="trash" /> Trash
          {trashCount > 0 && <span className="count-badge" aria-label={`${trashCount} in the Trash`}>{trashCount}</span>}
        </a>
      </nav>
      <div className="topbar-tools">
        <Button
          variant="ghost"
          className={`topbar-jobs${jobsOpen ? ' is-active' : ''}`}
          icon="jobs"
          aria-expanded={jobsOpen}
          title="Jobs (Shift+J)"
          onClick={toggleJobs}
        >
          Jobs
          {active > 0 && (
            <span className="count-badge count-badge-accent" aria-label={`${active} running`}>
              {active}
            </span>
          )}
          {active === 0 && needsAttention && <span className="attention-dot" aria-label="A job needs attention" />}
        </Button>
        <Button
          variant="ghost"
          icon={THEME_ICON[theme]}
          iconOnly
          label={`Theme: ${THEME_LABEL[theme]}. Switch to ${THEME_LABEL[nextTheme(theme)]}`}
          onClick={() => void useSettings.getState().setTheme(nextTheme(theme))}
        />
        <Button variant="ghost" icon="settings" iconOnly label="Settings" onClick={() => openModal({ kind: 'settings' })} />
        <Button variant="ghost" icon="help" iconOnly label="Keyboard shortcuts (?)" onClick={() => openModal({ kind: 'help' })} />
      </div>
    </header>
  );
}
