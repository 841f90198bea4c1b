/**
 * The one way new output in a folder of its own (a job's `*.partial`, an export's temp folder) takes the place of a
 * folder, in the library or outside it:
 *
 *   1. the old folder at `final`, if any, moves aside (`.<name>.previous` beside it) — kept, not deleted;
 *   2. `partial` is renamed to `final`;
 *   3. `record` runs (the database rows that describe the new folder), in one transaction with the journal's mark;
 *   4. the old folder is removed.
 *
 * A failure in 1–3 puts everything back: the new output to `partial` (so a resumable job keeps it), the old folder
 * to `final`, the record's rows rolled back. A crash (the process killed between any two steps) is put right when
 * the library next opens (`recoverFolderCommits`): the library's journal (`CommitJournal`, a row written before step
 * 1 and marked inside step 3's transaction) says whether the record was written, so the folders are rolled forward
 * (the old folder removed) or back (as after a failure). Commits without a journal (exports outside the library,
 * which record nothing) settle a leftover of an earlier crash at the same place first: an old folder still aside with
 * nothing at `final` comes back; one beside a complete `final` is removed.
 *
 * `partial` and `final` must be on one file system (same parent or library): renames are atomic there.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from './atomic-write';

export interface FolderCommit {
  id: string;
  partial: string;
  final: string;
  /** Whether a folder was at `final` when the commit began (it moves aside in step 1). */
  hadOld: boolean;
}

/** Where a commit's state is kept durably, beside the rows it records (the library's: `library/commit-journal.ts`). */
export interface CommitJournal {
  /** Notes a commit before any folder moves (durable on return). */
  begin(commit: FolderCommit): void;
  /** Runs `record` in one database transaction that also marks the commit recorded: both happen or neither. */
  record<T>(id: string, record: () => T): T;
  /** Forgets a finished or rolled-back commit. */
  end(id: string): void;
  /** Commits begun and not ended (a crash stopped them), with whether their record was written. */
  pending(): (FolderCommit & { recorded: boolean })[];
}

/** The steps after which `afterStep` is called (the crash tests stop the process there). */
export type FolderCommitStep = 'begun' | 'aside' | 'swapped' | 'recorded';

export interface CommitFolderOptions<T> {
  partial: string;
  final: string;
  /** The library's journal; without one a crash is settled by the next commit at the same place only. */
  journal?: CommitJournal | null;
  /** Records the new folder (database writes); runs inside the journal's transaction. */
  record?: () => T;
  /** Test seam: called after each step. */
  afterStep?: (step: FolderCommitStep) => void;
}

/** Where the old folder waits while the new one is recorded. */
export const asideOf = (final: string) => path.join(path.dirname(final), `.${path.basename(final)}.previous`);

const exists = (p: string) => fs.existsSync(p);
const remove = (p: string) => fs.rmSync(p, { recursive: true, force: true });

function syncParents(c: { partial: string; final: string }): void {
  try {
    fsyncDir(path.dirname(c.final));
    if (path.dirname(c.partial) !== path.dirname(c.final)) fsyncDir(path.dirname(c.partial));
  } catch {
    // a parent that cannot be opened for fsync (some network file systems): the renames stand regardless
  }
}

/** Puts the folders of an unrecorded commit back: the new output to `partial`, the old folder to `final`. */
function rollBack(c: FolderCommit): void {
  const aside = asideOf(c.final);
  // With the old folder aside (or none to begin with), whatever is at `final` is the new output.
  if (exists(aside) || !c.hadOld) {
    if (exists(c.final)) {
      if (exists(c.partial)) remove(c.final);
      else fs.renameSync(c.final, c.partial);
    }
    if (exists(aside)) fs.renameSync(aside, c.final);
  }
  syncParents(c);
}

/** An old folder left aside by an unjournaled commit that died: back in place if nothing replaced it, else removed. */
function settleAside(final: string): void {
  const aside = asideOf(final);
  if (!exists(aside)) return;
  if (exists(final)) remove(aside);
  else fs.renameSync(aside, final);
}

/** Commits `partial` as `final` (see the module comment); returns what `record` returned. */
export function commitFolder<T = void>(o: CommitFolderOptions<T>): T {
  const aside = asideOf(o.final);
  settleAside(o.final);
  if (!exists(o.partial)) throw Object.assign(new Error(`Nothing to commit: ${o.partial} does not exist.`), { code: 'ENOENT' });
  const commit: FolderCommit = { id: randomBytes(8).toString('hex'), partial: o.partial, final: o.final, hadOld: exists(o.final) };
  const step = (s: FolderCommitStep) => o.afterStep?.(s);
  o.journal?.begin(commit);
  try {
    step('begun');
    if (commit.hadOld) {
      fs.renameSync(o.final, aside);
      step('aside');
    }
    fs.renameSync(o.partial, o.final);
    syncParents(commit);
    step('swapped');
  } catch (err) {
    undo(o.journal, commit);
    throw err;
  }
  let result: T;
  try {
    result = o.journal ? o.journal.record(commit.id, () => (o.record ? o.record() : (undefined as T))) : (o.record?.() as T);
    step('recorded');
  } catch (err) {
    undo(o.journal, commit);
    throw err;
  }
  try {
    remove(aside);
    o.journal?.end(commit.id);
  } catch {
    // the commit stands; the old folder (and the journal's note) go when the library next opens
  }
  return result;
}

function undo(journal: CommitJournal | null | undefined, commit: FolderCommit): void {
  try {
    rollBack(commit);
    journal?.end(commit.id);
  } catch {
    // left to recoverFolderCommits when the library next opens (the journal still has it)
  }
}

/**
 * Finishes the commits a crash stopped (the library calls this when it opens writable): a recorded one keeps its new
 * folder and loses the old one; an unrecorded one is rolled back. Returns how many were settled each way.
 */
export function recoverFolderCommits(journal: CommitJournal): { rolledForward: number; rolledBack: number } {
  let rolledForward = 0, rolledBack = 0;
  for (const c of journal.pending()) {
    try {
      if (c.recorded) {
        remove(asideOf(c.final));
        rolledForward++;
      } else {
        rollBack(c);
        rolledBack++;
      }
      journal.end(c.id);
    } catch {
      // best effort: the library opens regardless, and the next open tries again
    }
  }
  return { rolledForward, rolledBack };
}
