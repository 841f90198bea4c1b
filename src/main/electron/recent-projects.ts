/** Recently opened projects (for File ▸ Open Recent), newest first, persisted in the user-data folder. */
import { readJsonFile, writeJsonFile } from './json-file';

export interface RecentProject {
  id: string;
  name: string;
  /** The library the project lives in (a project id means nothing in another library). */
  library: string;
  openedAt: string;
}

export const MAX_RECENT = 10;
const ID = /^[0-9a-f]{32}$/;

export function parseRecent(raw: unknown): RecentProject[] {
  if (!Array.isArray(raw)) return [];
  const out: RecentProject[] = [];
  for (const r of raw) {
    if (typeof r !== 'object' || r === null) continue;
    const { id, name, library, openedAt } = r as Record<string, unknown>;
    if (typeof id !== 'string' || !ID.test(id) || typeof name !== 'string' || typeof library !== 'string' || typeof openedAt !== 'string') continue;
    if (out.some((o) => o.id === id && o.library === library)) continue;
    out.push({ id, name: name.slice(0, 200), library, openedAt });
  }
  return out.slice(0, MAX_RECENT);
}

export class RecentProjects {
  private items: RecentProject[];

  constructor(
    private readonly file: string | null,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.items = file ? parseRecent(readJsonFile(file)) : [];
  }

  /** Projects of the given library, newest first. */
  list(library: string): RecentProject[] {
    return this.items.filter((r) => r.library === library);
  }

  /** Records an opening (moves the project to the front; updates its name). Returns true if the list changed. */
  touch(p: { id: string; name: string; library: string }): boolean {
    if (!ID.test(p.id)) return false;
    const first = this.items[0];
    if (first && first.id === p.id && first.library === p.library && first.name === p.name) return false;
    this.items = [{ ...p, openedAt: this.now().toISOString() }, ...this.items.filter((r) => !(r.id === p.id && r.library === p.library))].slice(0, MAX_RECENT);
    this.persist();
    return true;
  }

  /** Drops projects of `library` that no longer exist there (deleted, or trashed when `liveIds` excludes them). */
  prune(library: string, liveIds: ReadonlySet<string>): boolean {
    const next = this.items.filter((r) => r.library !== library || liveIds.has(r.id));
    if (next.length === this.items.length) return false;
    this.items = next;
    this.persist();
    return true;
  }

  rename(library: string, id: string, name: string): boolean {
    const item = this.items.find((r) => r.library === library && r.id === id);
    if (!item || item.name === name) return false;
    item.name = name;
    this.persist();
    return true;
  }

  clear(library?: string): void {
    this.items = library === undefined ? [] : this.items.filter((r) => r.library !== library);
    this.persist();
  }

  private persist(): void {
    if (this.file) writeJsonFile(this.file, this.items);
  }
}
