import { useRef, useState } from 'react';
import type { Avatar } from '@shared/model/avatar';
import { Button } from '../../components/Button';
import { errorMessage } from '../../lib/errors';
import { studio } from '../../store/studio';
import { toast } from '../../store/toasts';

export const BUNDLE_EXTENSION = '.avatar';
export const isBundleFile = (f: File) => f.name.toLowerCase().endsWith(BUNDLE_EXTENSION);

/** Web mode streams the file to `PUT /upload`; Electron passes its path. Answers the `avatars.import` source. */
async function bundleSource(file: File): Promise<{ path: string } | { uploadId: string }> {
  const path = window.studioBridge?.pathForFile(file);
  if (path) return { path };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const res = await fetch(`/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`, { method: 'PUT', body: file });
  const body = (await res.json().catch(() => ({}))) as { uploadId?: string; error?: { message?: string } };
  if (!res.ok || !body.uploadId) throw new Error(body.error?.message ?? `The upload of ${file.name} was refused (HTTP ${res.status}).`);
  return { uploadId: body.uploadId };
}

/** Imports an avatar bundle (`.avatar`, exported by this or another studio) into the project as a new avatar. */
export async function importAvatarBundle(projectId: string, file: File): Promise<Avatar> {
  if (!isBundleFile(file)) throw new Error(`${file.name} is not an avatar bundle: choose a ${BUNDLE_EXTENSION} file exported by Avatar Studio.`);
  return studio().client.call('avatars.import', { projectId, ...(await bundleSource(file)) });
}

/** "Import avatar…": a file picker for bundles; the imported avatar appears in the table (`onImported`). */
export function ImportAvatarButton({ projectId, onImported }: { projectId: string; onImported: (avatar: Avatar) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const run = async (file: File) => {
    setBusy(true);
    try {
      const avatar = await importAvatarBundle(projectId, file);
      toast.success(`Imported ${avatar.name} v${avatar.version}.`);
      onImported(avatar);
    } catch (err) {
      toast.error(`Could not import ${file.name}: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button size="sm" icon="upload" busy={busy} onClick={() => input.current?.click()} title="Import an avatar bundle (.avatar) exported by Avatar Studio">
        Import avatar…
      </Button>
      <input
        ref={input}
        type="file"
        accept={BUNDLE_EXTENSION}
        hidden
        aria-label="Avatar bundle file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void run(file);
        }}
      />
    </>
  );
}
