import type { MethodName, MethodParams, MethodResult } from '@shared/api/contract';
import { StudioError } from '@shared/api/errors';
import { newId } from '../services/library/ids';
import { detachTrashedProjects } from '../services/projects/project-jobs';
import { toPublicJob } from '../jobs/jobs-repo';
import type { StudioHost } from './studio-host';

type Handlers = { [M in MethodName]: (params: MethodParams<M>, host: StudioHost) => MethodResult<M> | Promise<MethodResult<M>> };

/** One handler per StudioApi method; each delegates to a service. Parameters arrive validated. */
export const handlers: Handlers = {
  'app.info': (_p, host) => host.appInfo(),

  'library.info': (_p, host) => host.services.library.info(),
  'library.open': (p, host) => host.switchLibrary(p.path, p.create),

  'settings.get': (_p, host) => host.services.settings.get(),
  'settings.update': (p, host) => {
    const settings = host.services.settings.update(p);
    host.emitEvent('settings.changed', settings);
    return settings;
  },

  'projects.list': (p, host) => host.services.projects.list({ query: p.query, trashed: p.trashed }),
  'projects.get': (p, host) => host.services.projects.get(p.id),
  'projects.create': (p, host) => {
    const project = host.services.projects.create(p.name);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.rename': (p, host) => {
    const project = host.services.projects.rename(p.id, p.name);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.duplicate': (p, host) => {
    const source = host.services.projects.get(p.id);
    if (source.trashedAt !== null) throw new StudioError('CONFLICT', 'Restore the project from the trash before duplicating it.');
    const name = p.name ?? `${source.name} copy`;
    return host.jobs.enqueue('project.duplicate', { sourceId: source.id, targetId: newId(), name }, source.id);
  },
  'projects.trash': (p, host) => {
    const active = host.services.jobs.list({ projectId: p.id, includeFinished: false }).filter((j) => j.status === 'running' || j.status === 'queued');
    if (active.length) throw new StudioError('CONFLICT', `“${active[0]!.title}” is still running for this project. Cancel it or wait for it to finish, then delete the project.`);
    const project = host.services.projects.trash(p.id);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.restore': (p, host) => {
    const project = host.services.projects.restore(p.id);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.emptyTrash': (_p, host) => {
    const trashed = host.services.projects.list({ trashed: true });
    if (trashed.length === 0) throw new StudioError('CONFLICT', 'The trash is already empty.');
    const folders = detachTrashedProjects(host.services);
    host.emitEvent('projects.changed', { ids: trashed.map((t) => t.id) });
    return host.jobs.enqueue('trash.empty', { folders }, null);
  },

  'jobs.list': (p, host) => host.services.jobs.list({ projectId: p.projectId, includeFinished: p.includeFinished }).map(toPublicJob),
  'jobs.get': (p, host) => toPublicJob(host.services.jobs.get(p.id)),
  'jobs.cancel': (p, host) => host.jobs.cancel(p.id),
  'jobs.resume': (p, host) => host.jobs.resume(p.id),
  'jobs.dismiss': (p, host) => {
    host.jobs.dismiss(p.id);
    return { id: p.id };
  },
};
