import { Button } from '../../components/Button';
import { usePanels } from '../../store/panels';
import { useShortcut } from '../shortcuts/useShortcut';

/** Opens the export dialog for an avatar. */
export function openExportDialog(projectId: string, avatarId: string): void {
  usePanels.getState().openModal({ kind: 'export', projectId, avatarId });
}

/** Binds Ctrl/⌘+E to the export dialog of `avatarId` while the calling view is mounted (none: unbound). */
export function useExportShortcut(projectId: string, avatarId: string | undefined): void {
  useShortcut('exportAvatar', () => avatarId && openExportDialog(projectId, avatarId), Boolean(avatarId));
}

/** "Export…" for a toolbar or a table row; `shortcut` also binds Ctrl/⌘+E to it. */
export function ExportButton({ projectId, avatarId, label, iconOnly, shortcut = false }: { projectId: string; avatarId: string; label?: string; iconOnly?: boolean; shortcut?: boolean }) {
  useExportShortcut(projectId, shortcut ? avatarId : undefined);
  return (
    <Button size="sm" variant={iconOnly ? 'ghost' : 'secondary'} icon="export" iconOnly={iconOnly} label={label ?? 'Export'} title={shortcut ? 'Export (Ctrl/⌘+E)' : undefined} onClick={() => openExportDialog(projectId, avatarId)}>
      {iconOnly ? undefined : 'Export…'}
    </Button>
  );
}
