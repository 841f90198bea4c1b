import type { KeyboardEvent } from 'react';
import type { Project } from '@shared/model/project';
import { ProjectCard, focusCard } from './ProjectCard';
import { useLibraryUi } from './libraryUi';

/** How many cards sit in the first row of the grid, measured from the layout. */
function columnsOf(list: HTMLElement): number {
  const items = Array.from(list.children) as HTMLElement[];
  if (items.length === 0) return 1;
  const top = items[0].offsetTop;
  const n = items.findIndex((el) => el.offsetTop !== top);
  return n === -1 ? items.length : n;
}

/** The grid of project cards, with arrow-key navigation (selection follows focus). */
export function ProjectGrid({ projects }: { projects: Project[] }) {
  const selectedId = useLibraryUi((s) => s.selectedId);
  const selectedIndex = projects.findIndex((p) => p.id === selectedId);
  const tabbableId = selectedIndex >= 0 ? selectedId : (projects[0]?.id ?? null);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!(e.target instanceof HTMLElement) || !e.target.classList.contains('card-hit')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const cols = columnsOf(e.currentTarget);
    const i = Math.max(0, selectedIndex);
    let next = -1;
    if (e.key === 'ArrowRight') next = Math.min(projects.length - 1, i + 1);
    else if (e.key === 'ArrowLeft') next = Math.max(0, i - 1);
    else if (e.key === 'ArrowDown') next = Math.min(projects.length - 1, i + cols);
    else if (e.key === 'ArrowUp') next = i - cols >= 0 ? i - cols : i;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = projects.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const id = projects[next].id;
    useLibraryUi.getState().select(id);
    focusCard(id);
  };

  return (
    <ul className="project-grid" aria-label="Projects" onKeyDown={onKeyDown}>
      {projects.map((p) => (
        <ProjectCard key={p.id} project={p} tabbable={p.id === tabbableId} />
      ))}
    </ul>
  );
}
