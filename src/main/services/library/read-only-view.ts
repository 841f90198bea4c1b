import { Library } from './library';

/**
 * Runs `read` on a read-only view of the library at `libraryDir` and closes it: how a job worker (a process that does
 * not hold the library; the host does) reads rows, through the same repositories the host uses.
 */
export function readLibrary<T>(libraryDir: string, read: (lib: Library) => T): T {
  const lib = Library.open(libraryDir, { readOnly: true, create: false, frontDoor: 'worker' });
  try {
    return read(lib);
  } finally {
    lib.close();
  }
}
