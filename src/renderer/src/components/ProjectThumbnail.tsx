import { useState, type CSSProperties } from 'react';
import type { Project } from '@shared/model/project';
import { hueOf, initialsOf } from '../lib/placeholder';
import { studio } from '../store/studio';

/** The project's thumbnail when it has one that loads; otherwise its initials on a colour derived from its id. */
export function ProjectThumbnail({ project, size = 'card' }: { project: Pick<Project, 'id' | 'name' | 'thumbnail'>; size?: 'card' | 'small' | 'large' }) {
  const [failed, setFailed] = useState<string | null>(null);
  const src = project.thumbnail ? studio().assetUrl(project.id, project.thumbnail) : null;
  if (src && failed !== src) {
    return (
      <div className={`thumb thumb-${size}`}>
        <img src={src} alt="" draggable={false} onError={() => setFailed(src)} />
      </div>
    );
  }
  const hue = hueOf(project.id);
  return (
    <div className={`thumb thumb-${size} thumb-placeholder`} style={{ '--thumb-hue': hue } as CSSProperties} aria-hidden="true">
      <span>{initialsOf(project.name)}</span>
    </div>
  );
}
