import WebSocket from 'ws';
import type { StudioTransport } from '@shared/api/client';
import { ServerMessage, type CallOutcome } from '@shared/api/wire';

/**
 * The StudioApi of a web-mode studio already running on this library, for CLI runs that would otherwise get a
 * read-only library: calls go through the running studio, so its window sees the changes live.
 */
export async function connectRemoteStudio(port: number, token: string): Promise<StudioTransport & { close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${encodeURIComponent(token)}`, { headers: { Origin: `http://127.0.0.1:${port}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`the running studio refused the connection (${code})`)));
  });
  let nextId = 1;
  const pending = new Map<number, (o: CallOutcome) => void>();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  ws.on('message', (data) => {
    const parsed = ServerMessage.safeParse(JSON.parse(data.toString()));
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'event') {
      for (const l of listeners) l(msg.event, msg.payload);
    } else if (msg.id !== null) {
      pending.get(msg.id)?.(msg.ok ? { ok: true, result: msg.result } : { ok: false, error: msg.error });
      pending.delete(msg.id);
    }
  });
  ws.on('close', () => {
    for (const [id, resolve] of pending) {
      pending.delete(id);
      resolve({ ok: false, error: { code: 'INTERNAL', message: 'The running studio closed the connection.' } });
    }
  });
  return {
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'request', id, method, params }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => ws.close(),
  };
}
