/**
 * The soak benchmark's server process: a StudioHost on the given library and web mode on 127.0.0.1 — the same two
 * calls `avatar-studio serve` makes — in a process of its own, so that its descriptors (/proc/<pid>/fd) and memory
 * (/proc/<pid>/status) are measured apart from the load generator's.
 *
 *   node --expose-gc --import tsx bench/soak/server.ts <libraryDir> <rendererDir>
 *
 * Prints one JSON line `{ url, port, token, pid }` on stdout once it listens. Over the IPC channel (when started
 * with fork) it answers `{ type: 'memory', id, gc }` with `process.memoryUsage()`, after a full GC when asked and
 * when --expose-gc is on. Stops on SIGTERM, SIGINT or when the parent goes away. It installs no handler for
 * uncaught exceptions on purpose: a request that crashes the real server must crash this one too.
 */
import { StudioHost } from '../../src/main/host/studio-host';
import { startWebServer } from '../../src/main/web/web-server';

const [libraryDir, rendererDir] = process.argv.slice(2);
if (!libraryDir || !rendererDir) {
  process.stderr.write('usage: server.ts <libraryDir> <rendererDir>\n');
  process.exit(2);
}

const host = StudioHost.open({ libraryDir, frontDoor: 'web' });
const server = await startWebServer({ host, rendererDir });
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, token: server.token, pid: process.pid })}\n`);

type MemoryRequest = { type: 'memory'; id: number; gc?: boolean };
process.on('message', (raw) => {
  const m = raw as MemoryRequest;
  if (m?.type !== 'memory') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (m.gc && gc) {
    // Two passes: the first can leave weakly held objects and finalizers for the second.
    gc();
    gc();
  }
  process.send?.({ type: 'memory', id: m.id, gc: Boolean(m.gc && gc), usage: process.memoryUsage() });
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(code), 10_000);
  force.unref();
  try {
    await server.close();
    await host.close();
  } finally {
    process.exit(code);
  }
}
process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));
process.once('disconnect', () => void stop(0));
