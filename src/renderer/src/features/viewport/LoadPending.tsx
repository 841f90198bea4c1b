import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import type { Loaded } from './useLoaded';

/** What a page that loads an avatar shows until it is ready: a status line, or why it failed with the way back. */
export function LoadPending({ load, failTitle, onBack }: { load: Exclude<Loaded<unknown>, { state: 'ready' }>; failTitle: string; onBack: () => void }) {
  return load.state === 'loading' ? (
    <p className="loading" role="status">
      Loading the avatar…
    </p>
  ) : (
    <EmptyState icon="alert" title={failTitle} actions={<Button onClick={onBack}>Back to the project</Button>}>
      <p>{load.message}</p>
    </EmptyState>
  );
}
