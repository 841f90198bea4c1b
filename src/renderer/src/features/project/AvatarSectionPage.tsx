import type { Project } from '@shared/model/project';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { navigate } from '../../store/route';
import { BakedBadge } from '../bake/BakeButton';
import { openExportDialog, useExportShortcut } from '../export/ExportButton';
import { useAvatars, useProjectCaptures } from '../training/useTrainingData';
import { AvatarPicker } from './PickList';
import { AVATAR_PAGES, firstStepText, type AvatarPage } from './sectionPages';

/**
 * The Texture, Live and Export pages with no avatar chosen: what the page does and the project's avatars, each with
 * the page's action (edit its texture, drive it live, open the export dialog). Without avatars: what to do first.
 */
export function AvatarSectionPage({ project, page }: { project: Project; page: AvatarPage }) {
  const copy = AVATAR_PAGES[page];
  const { captures } = useProjectCaptures(project.id);
  const { avatars, loaded, error } = useAvatars(project.id);
  const newest = avatars.reduce<(typeof avatars)[number] | undefined>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), undefined);
  useExportShortcut(project.id, page === 'export' ? newest?.id : undefined);

  const pick = (avatarId: string) => (page === 'export' ? openExportDialog(project.id, avatarId) : navigate({ name: 'project', id: project.id, section: page, avatarId }));
  const titleId = `section-page-${page}`;
  const captureCount = Math.max(project.counts.captures, captures.length);

  return (
    <section className="section-page" aria-labelledby={titleId} data-page={page}>
      <header className="section-page-head">
        <h2 id={titleId} className="section-title">
          {copy.title}
        </h2>
        <p className="muted">{copy.intro}</p>
      </header>
      {error && (
        <p className="inline-error" role="alert">
          Could not list the avatars: {error.message}
        </p>
      )}
      {!loaded ? (
        <p className="loading" role="status">
          Loading the avatars…
        </p>
      ) : avatars.length === 0 ? (
        error ? null : (
          <EmptyState
            icon={copy.icon}
            title="No avatar yet"
            actions={
              captureCount === 0 ? (
                <>
                  <Button variant="primary" icon="film" onClick={() => navigate({ name: 'project', id: project.id, section: 'footage' })}>
                    Import footage
                  </Button>
                  <Button icon="head" onClick={() => navigate({ name: 'project', id: project.id, section: 'training' })}>
                    Avatar training
                  </Button>
                </>
              ) : (
                <Button variant="primary" icon="head" onClick={() => navigate({ name: 'project', id: project.id, section: 'training' })}>
                  Train an avatar
                </Button>
              )
            }
          >
            <p>
              {copy.empty} {firstStepText(captureCount)}
            </p>
          </EmptyState>
        )
      ) : (
        <AvatarPicker
          page={page}
          avatars={avatars}
          captures={captures}
          onPick={pick}
          badge={page === 'texture' ? (avatarId) => <BakedBadge projectId={project.id} avatarId={avatarId} /> : undefined}
        />
      )}
    </section>
  );
}
