/**
 * Entry of the Node engine process (forked by NodeEngineHost): the engine on dawn.node, serving the host protocol
 * over Node's IPC channel (`serialization: 'advanced'`, so typed arrays arrive as typed arrays). Exits when the
 * parent goes away.
 */
import { createNodeDevice } from '../gpu/node-device';
import { EngineServer } from './engine-server';
import type { EngineMessage } from './protocol';

if (!process.send) {
  console.error('node-engine-process must be started with an IPC channel (child_process.fork).');
  process.exit(2);
}

process.env.XDG_RUNTIME_DIR ??= '/tmp';

const server = new EngineServer({
  createDevice: () => createNodeDevice({ label: 'studio-engine' }),
  send: (message: EngineMessage) => {
    if (process.connected) process.send!(message);
  },
});

process.on('message', (message: unknown) => {
  void server.handle(message).then(() => {
    if ((message as { op?: string } | null)?.op === 'dispose') process.disconnect();
  });
});
process.on('disconnect', () => process.exit(0));
