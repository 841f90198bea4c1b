import { lazy, Suspense, useEffect, useState } from 'react';
import { Button } from '../../components/Button';
import { EditableName } from '../../components/EditableName';
import { EmptyState } from '../../components/EmptyState';
import { ProjectThumbnail } from '../../components/ProjectThumbnail';
import { formatRelativeTime } from '../../lib/format';
import { useReadOnlyReason } from '../../store/connection';
import { useProjects } from '../../store/projects';
import { navigate, useRoute } from '../../store/route';
import { toast } from '../../store/toasts';
import { useLibraryUi } from '../library/libraryUi';
import { useShortcut } from '../shortcuts/useShortcut';
import { AvatarSectionPage } from './AvatarSectionPage';
import { CapabilityRail } from './CapabilityRail';
import { capabilityOf } from './capabilities';
import { ProjectOverview } from './ProjectOverview';
import { TrackingPage } from './TrackingPage';
import { FootageDropTarget } from '../capture/FootageDropTarget';
import { FootageView } from '../capture/FootageView';
import { TrainingView } from '../training/TrainingView';

// The Live page (the engine, camera handling) loads on first use too.
const LiveView = lazy(() =>
  import('../live/LiveView').then(
    (m) => ({ default: m.LiveView }),
    (err: unknown) => ({
      default: () => (
        <p className="banner banner-warning" role="alert">
          The Live page could not be loaded ({err instanceof Error ? err.message : String(err)}). Reload the window to try again.
        </p>
      ),
    }),
  ),
);

// The texture editor (its 3D view needs the engine) loads on first use too.
const TextureEditorView = lazy(() =>
  import('../texture/TextureEditorView').then(
    (m) => ({ default: m.TextureEditorView }),
    (err: unknown) => ({
      default: () => (
        <p className="banner banner-warning" role="alert">
          The texture editor could not be loaded ({err instanceof Error ? err.message : String(err)}). Reload the window to try again.
        </p>
      ),
    }),
  ),
);

// The 3D viewport (three.js, R3F, the engine) loads on first use, not with the app.
const ViewportView = lazy(() =>
  import('../viewport/ViewportView').then(
    (m) => ({ default: m.ViewportView }),
    (err: unknown) => ({
      default: () => (
        <p className="banner banner-warning" role="alert">
          The 3D viewport could not be loaded ({err instanceof Error ? err.message : String(err)}). Reload the window to try again.
        </p>
      ),
    }),
  ),
);

/**
 * One project: header with its name (renamable) and actions, the section rail, and the section's page (the overview
 * without one). Tracking, and Texture, Live and Export with no avatar chosen, are pages that list what to pick.
 */
export function ProjectView({ id }: { id: string }) {
  const entry = useProjects((s) => s.byId[id]);
  const readOnly = useReadOnlyReason();
  const route = useRoute();
  const section = route.name === 'project' ? route.section : undefined;
  const [renaming, setRenaming] = useState(false);

  useEffect(() => {
    void useProjects.getState().loadOne(id);
    useLibraryUi.getState().select(id);
  }, [id]);

  const back = () => navigate({ name: 'library' });
  useShortcut('back', back);
  useShortcut('renameProject', () => (readOnly ? toast.error(readOnly) : setRenaming(true)), Boolean(entry?.project && !entry.project.trashedAt));

  const project = entry?.project ?? null;

  if (!entry || (!project && !entry.error)) {
    return (
      <section className="view" aria-label="Project">
        <p className="loading" role="status">
          Opening the project…
        </p>
      </section>
    );
  }
  if (!project) {
    const missing = entry.error?.code === 'NOT_FOUND';
    return (
      <section className="view" aria-label="Project">
        <EmptyState
          icon="alert"
          title={missing ? 'This project is not in the library' : 'Could not open the project'}
          actions={
            <>
              {!missing && <Button onClick={() => void useProjects.getState().loadOne(id)}>Try again</Button>}
              <Button variant="primary" icon="back" onClick={back}>
                Back to the library
              </Button>
            </>
          }
        >
          <p>{missing ? 'It may have been deleted for good when the Trash was emptied, or the link points to another library.' : entry.error?.message}</p>
        </EmptyState>
      </section>
    );
  }

  const trashed = project.trashedAt !== null;

  return (
    <section className="view project-view" aria-label={`Project ${project.name}`}>
      <header className="project-header">
        <Button variant="ghost" icon="back" onClick={back} title="Back to the library (Esc)">
          Library
        </Button>
        <ProjectThumbnail project={project} size="small" />
        <div className="project-header-titles">
          <EditableName
            as="h1"
            className="project-name"
            name={project.name}
            editing={renaming}
            disabledReason={readOnly ?? (trashed ? 'Restore the project to rename it.' : null)}
            onStartEdit={() => setRenaming(true)}
            onCommit={async (name) => {
              const r = await useProjects.getState().rename(project.id, name);
              return r.ok ? null : r.message;
            }}
            onDone={() => setRenaming(false)}
          />
          <span className="muted">Edited {formatRelativeTime(project.updatedAt)}</span>
        </div>
        <div className="project-header-actions">
          {trashed ? (
            <Button variant="primary" icon="restore" disabledReason={readOnly} onClick={() => void useProjects.getState().restore(project.id)}>
              Restore from Trash
            </Button>
          ) : (
            <>
              <Button icon="pencil" disabledReason={readOnly} title="Rename (F2)" onClick={() => setRenaming(true)}>
                Rename
              </Button>
              <Button icon="copy" disabledReason={readOnly} onClick={() => void useProjects.getState().duplicate(project.id)}>
                Duplicate
              </Button>
              <Button
                icon="trash"
                variant="danger"
                disabledReason={readOnly}
                onClick={async () => {
                  if (await useProjects.getState().moveToTrash(project.id)) back();
                }}
              >
                Move to Trash
              </Button>
            </>
          )}
        </div>
      </header>
      {trashed && (
        <p className="banner banner-warning" role="status">
          This project is in the Trash. Restore it to work on it; emptying the Trash deletes it for good.
        </p>
      )}
      <FootageDropTarget projectId={project.id} disabled={trashed}>
        <div className="project-body">
          <CapabilityRail active={capabilityOf(section)} projectId={project.id} />
          <div className={`project-main${section === 'footage' ? ' project-main-footage' : ''}`}>
            {section === 'footage' ? (
              <FootageView project={project} captureId={route.name === 'project' ? route.captureId : undefined} />
            ) : section === 'tracking' ? (
              <TrackingPage project={project} />
            ) : section === 'training' && route.name === 'project' ? (
              <TrainingView project={project} reportAvatarId={route.avatarId} />
            ) : section === 'live' && route.name === 'project' && route.avatarId ? (
              <Suspense fallback={<p className="loading" role="status">Loading the Live page…</p>}>
                <LiveView project={project} avatarId={route.avatarId} />
              </Suspense>
            ) : section === 'texture' && route.name === 'project' && route.avatarId ? (
              <Suspense fallback={<p className="loading" role="status">Loading the texture editor…</p>}>
                <TextureEditorView project={project} avatarId={route.avatarId} />
              </Suspense>
            ) : section === 'viewport' && route.name === 'project' && route.avatarId ? (
              <Suspense fallback={<p className="loading" role="status">Loading the viewport…</p>}>
                <ViewportView project={project} avatarId={route.avatarId} />
              </Suspense>
            ) : section === 'texture' || section === 'live' || section === 'export' ? (
              <AvatarSectionPage key={section} project={project} page={section} />
            ) : (
              <ProjectOverview project={project} />
            )}
          </div>
        </div>
      </FootageDropTarget>
    </section>
  );
}
