import { useCallback, useEffect, useState } from 'react';
import type { BakeSummary } from '@shared/model/bake';
import { studio } from '../../store/studio';

/**
 * The avatar's last bake report (null: never baked, or still loading), reloaded when a bake job of the project
 * completes.
 */
export function useBakeReport(projectId: string, avatarId: string): { report: BakeSummary | null; loaded: boolean; reload(): void } {
  const [state, setState] = useState<{ report: BakeSummary | null; loaded: boolean }>({ report: null, loaded: false });
  const load = useCallback(() => {
    studio()
      .client.call('bake.report', { avatarId })
      .then(
        (report) => setState({ report, loaded: true }),
        () => setState({ report: null, loaded: true }),
      );
  }, [avatarId]);
  useEffect(() => {
    load();
    return studio().client.on('job.updated', (job) => {
      if (job.kind === 'avatar.bake' && job.status === 'completed' && job.projectId === projectId) load();
    });
  }, [projectId, load]);
  return { ...state, reload: load };
}
