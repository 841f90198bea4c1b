import type { StudioErrorShape } from '@shared/api/errors';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { usePanels } from '../../store/panels';

/** A list that could not be loaded: the studio's message, plus what the user can do about it. */
export function LoadError({ error, onRetry }: { error: StudioErrorShape; onRetry: () => void }) {
  const openModal = usePanels((s) => s.openModal);
  const libraryProblem = error.code === 'LIBRARY_UNAVAILABLE' || error.code === 'LIBRARY_TOO_NEW' || error.code === 'LIBRARY_READ_ONLY';
  return (
    <EmptyState
      icon="alert"
      title={libraryProblem ? 'The library cannot be opened' : 'Could not load the projects'}
      actions={
        <>
          <Button onClick={onRetry}>Try again</Button>
          {libraryProblem && (
            <Button variant="primary" icon="folder" onClick={() => openModal({ kind: 'settings' })}>
              Choose another library…
            </Button>
          )}
        </>
      }
    >
      <p role="alert">{error.message}</p>
    </EmptyState>
  );
}
