import { useEffect, useState } from 'react';
import type { Avatar } from '@shared/model/avatar';
import { Button } from '../../components/Button';
import { avatarSummary, avatarTitle } from '../../lib/avatarText';
import { formatRelativeTime } from '../../lib/format';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';
import './viewport.css';

/**
 * The project's avatar versions ("Name vN", what each is: its test PSNR, or "texture edit of vM"), each with buttons
 * that open it in the 3D viewport, Live and the texture editor. Hidden when there are none.
 */
export function AvatarList({ projectId }: { projectId: string }) {
  const [avatars, setAvatars] = useState<Avatar[]>([]);
  useEffect(() => {
    const { client } = studio();
    let live = true;
    const load = () =>
      client.call('avatars.list', { projectId }).then(
        (list) => live && setAvatars(list),
        () => undefined,
      );
    void load();
    const off = client.on('job.updated', (job) => {
      if ((job.kind === 'avatar.train' || job.kind === 'texture.apply') && job.status === 'completed' && job.projectId === projectId) void load();
    });
    return () => {
      live = false;
      off();
    };
  }, [projectId]);
  if (avatars.length === 0) return null;
  return (
    <section aria-labelledby="overview-avatars">
      <h2 id="overview-avatars" className="section-title">
        Avatars
      </h2>
      <ul className="avatar-list" aria-label="Avatars">
        {avatars.map((a) => (
          <li key={a.id}>
            <span>{avatarTitle(a)}</span>
            <span className="muted">{[avatarSummary(a), formatRelativeTime(a.createdAt)].filter(Boolean).join(' · ')}</span>
            <Button size="sm" icon="head" onClick={() => navigate({ name: 'project', id: projectId, section: 'viewport', avatarId: a.id })}>
              Open in 3D
            </Button>
            <Button size="sm" icon="camera" onClick={() => navigate({ name: 'project', id: projectId, section: 'live', avatarId: a.id })}>
              Live
            </Button>
            <Button size="sm" icon="brush" onClick={() => navigate({ name: 'project', id: projectId, section: 'texture', avatarId: a.id })}>
              Texture
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
