import { useState } from 'react';
import type { Avatar } from '@shared/model/avatar';
import { Button } from '../../components/Button';
import { BakeDialog } from './BakeDialog';
import { useBakeReport } from './useBake';

/** "Bake textures" for a row of the avatars table; opens the bake panel. */
export function BakeButton({ projectId, avatar }: { projectId: string; avatar: Avatar }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" variant="ghost" aria-label={`Bake textures of ${avatar.name} v${avatar.version}`} title="Bake textures: UV maps the texture editor paints on" onClick={() => setOpen(true)} data-testid="bake-open">
        Bake…
      </Button>
      {open && <BakeDialog projectId={projectId} avatar={avatar} onClose={() => setOpen(false)} />}
    </>
  );
}

/** "Baked" beside an avatar's name once it has a finished bake (title: the held-out change). */
export function BakedBadge({ projectId, avatarId }: { projectId: string; avatarId: string }) {
  const { report } = useBakeReport(projectId, avatarId);
  if (!report) return null;
  return (
    <span className="bake-badge" data-testid="baked-badge" title={`Baked into ${report.mapSize}² maps${report.heldOut ? `; held-out PSNR ${report.heldOut.before.psnr.toFixed(2)} → ${report.heldOut.after.psnr.toFixed(2)} dB` : ''}`}>
      Baked
    </span>
  );
}
