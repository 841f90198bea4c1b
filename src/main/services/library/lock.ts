import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockOwner {
  pid: number;
  hostname: string;
  frontDoor: string;
  since: number;
  /** Where a running web-mode studio answers the StudioApi, so the CLI can work through it instead of read-only. */
  endpoint?: { port: number; token: string };
}

export type LockResult =
  | { acquired: true; release: () => void; advertise: (endpoint: LockOwner['endpoint']) => void }
  | { acquired: false; owner: LockOwner | null };

/** The lock holder's details, if the library is held by a live process on this host. */
export function readLiveLockOwner(dir: string): LockOwner | null {
  const owner = readOwner(path.join(dir, LOCK_FILE));
  if (!owner || owner.hostname !== os.hostname() || owner.pid === process.pid || !isAlive(owner.pid)) return null;
  return owner;
}

const LOCK_FILE = 'library.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * One studio instance writes a library at a time. The lock is a file created exclusively; a lock left by a process
 * that no longer runs on this host is taken over. Other instances open the library read-only.
 */
export function acquireLibraryLock(dir: string, frontDoor: string): LockResult {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 0600: the lock may carry the web-mode token.
      const fd = fs.openSync(file, 'wx', 0o600);
      const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), frontDoor, since: Date.now() };
      fs.writeSync(fd, JSON.stringify(owner));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const current = readOwner(file);
        if (current && current.pid === process.pid && current.hostname === owner.hostname) fs.rmSync(file, { force: true });
      };
      const advertise = (endpoint: LockOwner['endpoint']) => {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ ...owner, endpoint }), { mode: 0o600 });
        fs.renameSync(tmp, file);
      };
      return { acquired: true, release, advertise };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(file);
      const stale = owner === null ? isStaleUnreadable(file) : owner.hostname === os.hostname() && !isAlive(owner.pid);
      if (!stale) return { acquired: false, owner };
      fs.rmSync(file, { force: true });
    }
  }
  return { acquired: false, owner: readOwner(file) };
}

/** A lock file that cannot be parsed is stale once it is old enough that its writer must have finished writing. */
function isStaleUnreadable(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > 5000;
  } catch {
    return true;
  }
}
