import { forwardRef } from 'react';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { Kbd } from '../../components/Kbd';
import { useReadOnlyReason } from '../../store/connection';
import { usePanels } from '../../store/panels';
import { SORT_LABEL, useLibraryUi, type SortKey } from './libraryUi';

/** Title, search (filters as you type), sort and "New project". */
export const LibraryToolbar = forwardRef<HTMLInputElement, { count: number | null; shown: number; onSearchArrowDown: () => void }>(function LibraryToolbar(
  { count, shown, onSearchArrowDown },
  searchRef,
) {
  const query = useLibraryUi((s) => s.query);
  const sort = useLibraryUi((s) => s.sort);
  const { setQuery, setSort } = useLibraryUi.getState();
  const readOnly = useReadOnlyReason();
  const openModal = usePanels((s) => s.openModal);

  return (
    <div className="view-toolbar">
      <div className="view-title">
        <h1>Library</h1>
        <span className="view-count" aria-live="polite">
          {count === null ? '' : query ? `${shown} of ${count}` : count === 1 ? '1 project' : `${count} projects`}
        </span>
      </div>
      <div className="view-toolbar-controls">
        <div className="search">
          <Icon name="search" className="search-icon" />
          <input
            ref={searchRef}
            type="search"
            className="input search-input"
            aria-label="Search projects"
            placeholder="Search projects"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                if (query) setQuery('');
                else e.currentTarget.blur();
              } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
                e.preventDefault();
                onSearchArrowDown();
              }
            }}
          />
          {!query && (
            <span className="search-hint" aria-hidden="true">
              <Kbd combo="/" />
            </span>
          )}
        </div>
        <label className="select-label">
          <span className="visually-hidden">Sort by</span>
          <select className="select" value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort by">
            {(Object.keys(SORT_LABEL) as SortKey[]).map((k) => (
              <option key={k} value={k}>
                {SORT_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <Button variant="primary" icon="plus" disabledReason={readOnly} title="New project (N)" onClick={() => openModal({ kind: 'newProject' })}>
          New project
        </Button>
      </div>
    </div>
  );
});
