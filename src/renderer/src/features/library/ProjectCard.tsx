import type { Project } from '@shared/model/project';
import { Button } from '../../components/Button';
import { EditableName } from '../../components/EditableName';
import { ProjectThumbnail } from '../../components/ProjectThumbnail';
import { formatBytes, formatRelativeTime } from '../../lib/format';
import { useReadOnlyReason } from '../../store/connection';
import { useProjects } from '../../store/projects';
import { navigate } from '../../store/route';
import { useLibraryUi } from './libraryUi';

export function focusCard(id: string): void {
  document.querySelector<HTMLElement>(`[data-card-id="${id}"]`)?.focus();
}

/** One project in the library grid. Click selects, double-click or Enter opens, the name renames on double-click. */
export function ProjectCard({ project, tabbable }: { project: Project; tabbable: boolean }) {
  const selected = useLibraryUi((s) => s.selectedId === project.id);
  const renaming = useLibraryUi((s) => s.renamingId === project.id);
  const { select, startRename, stopRename } = useLibraryUi.getState();
  const readOnly = useReadOnlyReason();
  const open = () => navigate({ name: 'project', id: project.id });
  const metaId = `card-meta-${project.id}`;

  return (
    <li className={`card${selected ? ' is-selected' : ''}`} data-project-id={project.id}>
      <button
        type="button"
        className="card-hit"
        data-card-id={project.id}
        tabIndex={tabbable ? 0 : -1}
        aria-label={project.name}
        aria-describedby={metaId}
        onFocus={() => select(project.id)}
        onClick={() => select(project.id)}
        onDoubleClick={open}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.altKey) {
            e.preventDefault();
            open();
          }
        }}
      >
        <ProjectThumbnail project={project} />
      </button>
      <div className="card-info">
        <EditableName
          className="card-name"
          name={project.name}
          editing={renaming}
          disabledReason={readOnly}
          onStartEdit={() => startRename(project.id)}
          onCommit={async (name) => {
            const r = await useProjects.getState().rename(project.id, name);
            return r.ok ? null : r.message;
          }}
          onDone={() => {
            stopRename();
            requestAnimationFrame(() => focusCard(project.id));
          }}
        />
        <span className="card-meta" id={metaId}>
          Edited {formatRelativeTime(project.updatedAt)} · {formatBytes(project.sizeBytes)}
        </span>
      </div>
      <div className="card-actions" role="group" aria-label={`Actions for ${project.name}`}>
        <Button size="sm" variant="ghost" icon="pencil" iconOnly label={`Rename ${project.name}`} disabledReason={readOnly} onClick={() => startRename(project.id)} />
        <Button
          size="sm"
          variant="ghost"
          icon="copy"
          iconOnly
          label={`Duplicate ${project.name}`}
          disabledReason={readOnly}
          onClick={() => void useProjects.getState().duplicate(project.id)}
        />
        <Button
          size="sm"
          variant="ghost"
          icon="trash"
          iconOnly
          label={`Move ${project.name} to the Trash`}
          disabledReason={readOnly}
          onClick={() => void useProjects.getState().moveToTrash(project.id)}
        />
      </div>
    </li>
  );
}
