import { useMemo } from 'react';
import type { Project } from '@shared/model/project';
import { Icon } from '../../components/Icon';
import { formatBytes, formatDateTime } from '../../lib/format';
import { sortJobs, useJobs } from '../../store/jobs';
import { JobRow } from '../jobs/JobRow';
import { hrefOf } from '../../store/route';
import { CAPABILITIES, LATER_NOTE, type Capability } from './capabilities';
import { AvatarList } from '../viewport/AvatarList';

/** Link to a built section of the project, or null when the section has no page of its own yet. */
function sectionHref(projectId: string, id: Capability['id']): string | null {
  const section = CAPABILITIES.find((c) => c.id === id)?.section;
  return section ? hrefOf({ name: 'project', id: projectId, section }) : null;
}

/** One sentence on what to do next, from what the project holds and which steps exist in this version. */
function nextStepText(project: Project): string {
  const footage = CAPABILITIES.find((c) => c.id === 'footage')?.available;
  if (footage && project.counts.captures === 0) return 'Start with Footage: import a video or photos of one person, then review the frames on the timeline.';
  if (footage && project.counts.avatars === 0)
    return 'Review the footage on the timeline, then track the faces there (Track faces, Shift+F), then train an avatar in the Avatar section.';
  if (footage) return 'Open an avatar in 3D or Live, paint on its texture, export it, or train another in the Avatar section.';
  return 'Footage import and the steps after it arrive in later versions. For now you can rename, duplicate or move this project to the Trash.';
}

/** What the project holds now, its jobs, and the pipeline ahead. */
export function ProjectOverview({ project }: { project: Project }) {
  const jobsById = useJobs((s) => s.jobs);
  const jobs = useMemo(() => sortJobs(Object.values(jobsById).filter((j) => j.projectId === project.id)), [jobsById, project.id]);
  const stats = [
    { label: 'Captures', value: project.counts.captures.toLocaleString() },
    { label: 'Frames', value: project.counts.frames.toLocaleString() },
    { label: 'Avatars', value: project.counts.avatars.toLocaleString() },
    { label: 'Size on disk', value: formatBytes(project.sizeBytes) },
  ];

  return (
    <div className="overview">
      <section aria-labelledby="overview-contents">
        <h2 id="overview-contents" className="section-title">
          Contents
        </h2>
        <dl className="stat-grid">
          {stats.map((s) => (
            <div key={s.label} className="stat">
              <dt>{s.label}</dt>
              <dd>{s.value}</dd>
            </div>
          ))}
        </dl>
        <p className="muted overview-dates">
          Created {formatDateTime(project.createdAt)} · Last modified {formatDateTime(project.updatedAt)}
        </p>
      </section>

      <section aria-labelledby="overview-pipeline">
        <h2 id="overview-pipeline" className="section-title">
          Pipeline
        </h2>
        <ol className="pipeline">
          {CAPABILITIES.filter((c) => c.id !== 'overview').map((c, i) => {
            const body = (
              <>
                <span className="pipeline-index">{i + 1}</span>
                <Icon name={c.icon} size={18} />
                <span className="pipeline-text">
                  <span className="pipeline-label">{c.label}</span>
                  <span className="muted">{c.summary}</span>
                </span>
                {!c.available && <span className="badge">{LATER_NOTE}</span>}
              </>
            );
            const href = c.available ? sectionHref(project.id, c.id) : null;
            return (
              <li key={c.id} className="pipeline-step" aria-disabled={!c.available || undefined}>
                {href ? (
                  <a className="pipeline-link" href={href}>
                    {body}
                  </a>
                ) : (
                  body
                )}
              </li>
            );
          })}
        </ol>
        <p className="muted">{nextStepText(project)}</p>
      </section>

      <AvatarList projectId={project.id} />

      {jobs.length > 0 && (
        <section aria-labelledby="overview-jobs">
          <h2 id="overview-jobs" className="section-title">
            Jobs for this project
          </h2>
          <ul className="jobs-list">
            {jobs.map((j) => (
              <JobRow key={j.id} job={j} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
