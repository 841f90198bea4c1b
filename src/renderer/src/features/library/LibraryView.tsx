import { useMemo, useRef } from 'react';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Kbd } from '../../components/Kbd';
import { matchesQuery } from '../../lib/search';
import { useConnection, useReadOnlyReason } from '../../store/connection';
import { usePanels } from '../../store/panels';
import { useProjects } from '../../store/projects';
import { toast } from '../../store/toasts';
import { useShortcut } from '../shortcuts/useShortcut';
import { LibraryToolbar } from './LibraryToolbar';
import { ProjectGrid } from './ProjectGrid';
import { focusCard } from './ProjectCard';
import { sortProjects, useLibraryUi } from './libraryUi';
import { LoadError } from './LoadError';

/** The home view: every live project as a card, with search, create, rename, duplicate and move to Trash. */
export function LibraryView() {
  const live = useProjects((s) => s.live);
  const state = useProjects((s) => s.liveState);
  const query = useLibraryUi((s) => s.query);
  const sort = useLibraryUi((s) => s.sort);
  const selectedId = useLibraryUi((s) => s.selectedId);
  const readOnly = useReadOnlyReason();
  const connected = useConnection((s) => s.status === 'open');
  const openModal = usePanels((s) => s.openModal);
  const searchRef = useRef<HTMLInputElement>(null);

  const shown = useMemo(() => sortProjects(live.filter((p) => matchesQuery(p.name, query)), sort), [live, query, sort]);
  const selected = shown.find((p) => p.id === selectedId) ?? null;

  /** In a read-only library, says why instead of acting. */
  const refuse = (): boolean => {
    if (!readOnly) return false;
    toast.error(readOnly);
    return true;
  };

  useShortcut('newProject', () => !refuse() && openModal({ kind: 'newProject' }));
  useShortcut('search', () => {
    searchRef.current?.focus();
    searchRef.current?.select();
  });
  useShortcut('renameSelected', () => selected && !refuse() && useLibraryUi.getState().startRename(selected.id), Boolean(selected));
  useShortcut('duplicateSelected', () => selected && !refuse() && void useProjects.getState().duplicate(selected.id), Boolean(selected));
  useShortcut(
    'trashSelected',
    async () => {
      if (!selected || refuse()) return;
      const focusWasInGrid = document.activeElement?.classList.contains('card-hit') ?? false;
      const i = shown.indexOf(selected);
      const neighbour = shown[i + 1] ?? shown[i - 1] ?? null;
      if (!(await useProjects.getState().moveToTrash(selected.id))) return;
      useLibraryUi.getState().select(neighbour?.id ?? null);
      if (neighbour && focusWasInGrid) requestAnimationFrame(() => focusCard(neighbour.id));
    },
    Boolean(selected),
  );

  const focusFirstCard = () => {
    const target = selected ?? shown[0];
    if (!target) return;
    useLibraryUi.getState().select(target.id);
    focusCard(target.id);
  };

  let content;
  if (!state.loaded && state.error) {
    content = <LoadError error={state.error} onRetry={() => void useProjects.getState().loadLive()} />;
  } else if (!state.loaded) {
    content = (
      <p className="loading" role="status">
        {connected ? 'Loading projects…' : 'Waiting for the studio…'}
      </p>
    );
  } else if (live.length === 0) {
    content = (
      <EmptyState
        icon="grid"
        title="No projects yet"
        actions={
          <Button variant="primary" icon="plus" disabledReason={readOnly} onClick={() => openModal({ kind: 'newProject' })}>
            New project
          </Button>
        }
      >
        <p>A project holds the footage, tracking and avatar of one person. Create one to get started.</p>
        <p className="muted">
          Tip: press <Kbd combo="N" /> to create a project from anywhere in the library, and <Kbd combo="?" /> for all shortcuts.
        </p>
      </EmptyState>
    );
  } else if (shown.length === 0) {
    content = (
      <EmptyState
        icon="search"
        title={`No projects match “${query.trim()}”`}
        actions={
          <Button
            onClick={() => {
              useLibraryUi.getState().setQuery('');
              searchRef.current?.focus();
            }}
          >
            Clear search
          </Button>
        }
      >
        <p>Check the spelling or search for part of the name. Projects in the Trash are not searched.</p>
      </EmptyState>
    );
  } else {
    content = <ProjectGrid projects={shown} />;
  }

  return (
    <section className="view library-view" aria-label="Library">
      <LibraryToolbar ref={searchRef} count={state.loaded ? live.length : null} shown={shown.length} onSearchArrowDown={focusFirstCard} />
      {state.loaded && state.error && (
        <p className="inline-error" role="alert">
          Could not refresh the list: {state.error.message}
        </p>
      )}
      <div className="view-body">{content}</div>
    </section>
  );
}
