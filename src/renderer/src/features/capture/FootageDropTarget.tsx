import { useRef, useState, type ReactNode } from 'react';
import { Icon } from '../../components/Icon';
import { useReadOnlyReason } from '../../store/connection';
import { toast } from '../../store/toasts';
import { ImportDialog } from './ImportDialog';
import { ACCEPT, readDrop } from './importFootage';
import { useImportFlow } from './importFlow';

const hasFiles = (e: React.DragEvent) => [...e.dataTransfer.types].includes('Files');

/**
 * Wraps the project body: footage dropped anywhere on it is imported (with a visible drop target while dragging).
 * Also holds the hidden file input used by "Import footage…" and the options dialog for several videos.
 */
export function FootageDropTarget({ projectId, disabled, children }: { projectId: string; disabled?: boolean; children: ReactNode }) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const readOnly = useReadOnlyReason();
  const pending = useImportFlow((s) => s.pending);
  const blocked = disabled || Boolean(readOnly);

  return (
    <div
      className="footage-drop"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = blocked ? 'none' : 'copy';
      }}
      onDragLeave={(e) => {
        if (!hasFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={async (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        if (blocked) {
          toast.error(readOnly ?? 'Restore the project from the Trash to import footage into it.');
          return;
        }
        useImportFlow.getState().begin(projectId, await readDrop(e.dataTransfer));
      }}
    >
      {children}
      <input
        id="footage-file-input"
        data-testid="footage-file-input"
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) useImportFlow.getState().begin(projectId, { files, folders: [] });
        }}
      />
      {over && (
        <div className={`drop-overlay${blocked ? ' is-blocked' : ''}`} aria-hidden="true">
          <div className="drop-overlay-box">
            <Icon name={blocked ? 'lock' : 'upload'} size={28} />
            <strong>{blocked ? 'This project cannot take footage now' : 'Drop to import footage'}</strong>
            <span>{blocked ? (readOnly ?? 'Restore it from the Trash first.') : 'Videos, photos, or a folder of images. Several videos can become one multi-view capture.'}</span>
          </div>
        </div>
      )}
      {pending && pending.projectId === projectId && (
        <ImportDialog plan={pending.plan} onCancel={() => useImportFlow.getState().cancel()} onImport={(c) => useImportFlow.getState().confirm(c)} />
      )}
    </div>
  );
}
