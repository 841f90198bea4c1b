import { create } from 'zustand';
import type { Project } from '@shared/model/project';

export type SortKey = 'updated' | 'name' | 'created';
export const SORT_LABEL: Record<SortKey, string> = { updated: 'Last modified', name: 'Name', created: 'Date created' };

const SORT_KEY = 'avatar-studio.library.sort';

function savedSort(): SortKey {
  try {
    const v = localStorage.getItem(SORT_KEY);
    if (v === 'updated' || v === 'name' || v === 'created') return v;
  } catch {
    // fall through to the default
  }
  return 'updated';
}

/** View state of the library grid: search text, sort order, the selected project and the one being renamed. */
interface LibraryUiState {
  query: string;
  sort: SortKey;
  selectedId: string | null;
  renamingId: string | null;
  setQuery(q: string): void;
  setSort(s: SortKey): void;
  select(id: string | null): void;
  startRename(id: string): void;
  stopRename(): void;
}

export const useLibraryUi = create<LibraryUiState>((set) => ({
  query: '',
  sort: savedSort(),
  selectedId: null,
  renamingId: null,
  setQuery: (query) => set({ query }),
  setSort(sort) {
    try {
      localStorage.setItem(SORT_KEY, sort);
    } catch {
      // not essential
    }
    set({ sort });
  },
  select: (selectedId) => set({ selectedId }),
  startRename: (id) => set({ renamingId: id, selectedId: id }),
  stopRename: () => set({ renamingId: null }),
}));

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortProjects(list: Project[], sort: SortKey): Project[] {
  const out = list.slice();
  if (sort === 'name') out.sort((a, b) => collator.compare(a.name, b.name) || b.updatedAt - a.updatedAt);
  else if (sort === 'created') out.sort((a, b) => b.createdAt - a.createdAt);
  else out.sort((a, b) => b.updatedAt - a.updatedAt);
  return out;
}

/** "Untitled project", or "Untitled project 2", 3… when that name is taken. */
export function defaultProjectName(existing: Project[]): string {
  const base = 'Untitled project';
  const names = new Set(existing.map((p) => p.name.toLowerCase()));
  if (!names.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!names.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
}
