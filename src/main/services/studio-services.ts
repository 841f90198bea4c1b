import { BlobStore } from './library/blob-store';
import { CapturesRepo } from './capture/captures-repo';
import { TrackingRepo } from './tracking/tracking-repo';
import { AvatarsRepo } from './training/avatars-repo';
import { Library, type OpenLibraryOptions } from './library/library';
import { ProjectsRepo } from './projects/projects-repo';
import { SettingsRepo } from './settings/settings-repo';
import { JobsRepo } from '../jobs/jobs-repo';

/** Everything that works on one open library. Front doors never touch these directly; they go through the host. */
export interface StudioServices {
  library: Library;
  projects: ProjectsRepo;
  blobs: BlobStore;
  settings: SettingsRepo;
  jobs: JobsRepo;
  captures: CapturesRepo;
  tracking: TrackingRepo;
  avatars: AvatarsRepo;
}

export function openServices(dir: string, opts: OpenLibraryOptions): StudioServices {
  const library = Library.open(dir, opts);
  const projects = new ProjectsRepo(library);
  const captures = new CapturesRepo(library, projects);
  return {
    library,
    projects,
    blobs: new BlobStore(library, (id) => projects.folderOf(id)),
    settings: new SettingsRepo(library),
    jobs: new JobsRepo(library),
    captures,
    tracking: new TrackingRepo(library, projects, captures),
    avatars: new AvatarsRepo(library),
  };
}
