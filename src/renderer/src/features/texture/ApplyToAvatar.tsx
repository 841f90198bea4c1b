import { useState } from 'react';
import type { Avatar } from '@shared/model/avatar';
import { Button } from '../../components/Button';
import { errorMessage } from '../../lib/errors';
import { useJobs } from '../../store/jobs';
import { navigate } from '../../store/route';
import { studio } from '../../store/studio';

/**
 * "Apply to avatar" (the texture editor's header): saves the document, starts `textures.apply` (a job: the avatar the
 * 3D view shows — the baked avatar re-sampled under the layers, Gaussians added along the edit's edges — recorded as a
 * NEW avatar version) and, when it is done, offers the new version in the 3D viewport. The edited version stays.
 */
export function ApplyToAvatar({ avatarId, projectId, flushSave }: { avatarId: string; projectId: string; flushSave: () => Promise<void> }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined));
  const apply = async () => {
    setError(null);
    try {
      await flushSave();
      const started = await studio().client.call('textures.apply', { avatarId });
      useJobs.getState().upsert(started);
      setJobId(started.id);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const created = job?.status === 'completed' ? (job.result as { avatar?: Avatar } | null)?.avatar : undefined;
  const running = !!job && !['completed', 'failed', 'cancelled'].includes(job.status);
  return (
    <div className="texture-apply" data-testid="texture-apply">
      <Button variant="primary" onClick={apply} disabled={running} title="Record the edits as a new version of the avatar (this one is kept); the 3D view shows what it will be">
        {running ? `Applying… ${Math.round((job?.progress?.fraction ?? 0) * 100)} %` : 'Apply to avatar'}
      </Button>
      {created && (
        <span className="muted" role="status" title={`New version v${created.version} recorded; the edited version is kept.`}>
          Saved as v{created.version}{' '}
          <Button size="sm" variant="ghost" onClick={() => navigate({ name: 'project', id: projectId, section: 'viewport', avatarId: created.id })}>
            Open in 3D
          </Button>
        </span>
      )}
      {(error || job?.status === 'failed') && (
        <span className="texture-apply-message" role="alert">
          {error ?? job?.error?.message}
        </span>
      )}
    </div>
  );
}
