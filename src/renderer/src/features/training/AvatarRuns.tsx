import type { Avatar } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import { Button } from '../../components/Button';
import { avatarOriginText, avatarTitle } from '../../lib/avatarText';
import { formatRelativeTime } from '../../lib/format';
import { navigate } from '../../store/route';
import { openExportDialog, useExportShortcut } from '../export/ExportButton';
import { BakeButton, BakedBadge } from '../bake/BakeButton';
import { formatDb, formatSsim, PRESET_LABEL } from './trainingText';

/**
 * The project's avatar versions with their held-out metrics (a texture edit says which version it edits and has none);
 * each version's actions say what they do: Report (the evaluation), 3D (the viewport), Texture (the editor), Export…
 * (the export dialog), Bake… (the bake panel); their accessible names and tooltips name the version. One <tbody> per
 * version: its figures, then its actions on a line of their own (five labelled buttons do not fit beside seven
 * columns in the Avatar section's right column at 1280–1440 px).
 */
export function AvatarRuns({ projectId, avatars, captures, selected }: { projectId: string; avatars: Avatar[]; captures: Capture[]; selected: string | undefined }) {
  useExportShortcut(projectId, selected ?? avatars.at(-1)?.id);
  if (avatars.length === 0) return <p className="muted">No trained avatars yet. Start a training run: the finished avatar and its evaluation appear here.</p>;
  const name = (id: string | null) => captures.find((c) => c.id === id)?.name ?? '—';
  return (
    <div className="training-table-wrap">
      <table className="training-table" aria-label="Trained avatars">
        <thead>
          <tr>
            <th scope="col">Avatar</th>
            <th scope="col">Capture</th>
            <th scope="col">Preset</th>
            <th scope="col" className="num">Steps</th>
            <th scope="col" className="num">Gaussians</th>
            <th scope="col" className="num">PSNR</th>
            <th scope="col" className="num">SSIM</th>
          </tr>
        </thead>
        {[...avatars].reverse().map((a) => {
          const title = avatarTitle(a);
          return (
            <tbody key={a.id} className={selected === a.id ? 'is-selected' : undefined}>
              <tr aria-selected={selected === a.id || undefined}>
                <th scope="row">
                  {a.name} <span className="muted">v{a.version}</span>
                  {avatarOriginText(a) && <span className="avatar-origin muted"> · {avatarOriginText(a)}</span>}
                  <BakedBadge projectId={projectId} avatarId={a.id} />
                  <span className="avatar-when muted">{formatRelativeTime(a.createdAt)}</span>
                </th>
                <td>{name(a.captureId)}</td>
                <td>{a.preset ? PRESET_LABEL[a.preset] : '—'}</td>
                <td className="num">{a.steps?.toLocaleString() ?? '—'}</td>
                <td className="num">{a.gaussians?.toLocaleString() ?? '—'}</td>
                <td className="num" title={a.origin === 'texture' ? 'Not evaluated: a texture edit has no held-out figures of its own' : undefined}>
                  {formatDb(a.metrics?.psnr)}
                </td>
                <td className="num">{formatSsim(a.metrics?.ssim)}</td>
              </tr>
              <tr className="actions-row">
                <td colSpan={7} className="row-actions">
                  <Button size="sm" icon="grid" aria-label={`Report of ${title}`} onClick={() => navigate({ name: 'project', id: projectId, section: 'training', avatarId: a.id })}>
                    Report
                  </Button>
                  <Button size="sm" variant="ghost" icon="head" aria-label={`Open ${title} in 3D`} title={`Open ${title} in the 3D viewport`} onClick={() => navigate({ name: 'project', id: projectId, section: 'viewport', avatarId: a.id })}>
                    3D
                  </Button>
                  <Button size="sm" variant="ghost" icon="brush" aria-label={`Edit the texture of ${title}`} title={`Edit the texture of ${title}: paint and stickers on its baked maps`} onClick={() => navigate({ name: 'project', id: projectId, section: 'texture', avatarId: a.id })}>
                    Texture
                  </Button>
                  <Button size="sm" variant="ghost" icon="export" aria-label={`Export ${title}`} title={`Export ${title}: PLY, glTF, bundle, web player, video, maps, mesh (Ctrl/⌘+E: the selected or newest)`} onClick={() => openExportDialog(projectId, a.id)}>
                    Export…
                  </Button>
                  <BakeButton projectId={projectId} avatar={a} />
                </td>
              </tr>
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
