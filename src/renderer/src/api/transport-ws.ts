import type { StudioTransport } from '@shared/api/client';
import { ServerMessage, type CallOutcome } from '@shared/api/wire';

type Pending = { resolve: (o: CallOutcome) => void };

/**
 * Web-mode transport: the StudioApi over a WebSocket to the services host that served this page. The per-launch
 * token comes from the page URL. Reconnects with backoff; calls made while disconnected wait for the connection.
 */
export function createWebSocketTransport(opts: { url: string; onStatus?: (s: 'connecting' | 'open' | 'closed' | 'unauthorized') => void }): StudioTransport {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const subscribers = new Set<(event: string, payload: unknown) => void>();

  const connect = () => {
    opts.onStatus?.('connecting');
    const socket = new WebSocket(opts.url);
    ws = socket;
    socket.onopen = () => {
      retryMs = 250;
      opts.onStatus?.('open');
      for (const m of queue.splice(0)) socket.send(m);
    };
    socket.onmessage = (ev) => {
      let data: unknown;
      try {
        data = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      const msg = ServerMessage.safeParse(data);
      if (!msg.success) return;
      if (msg.data.type === 'event') {
        for (const s of subscribers) s(msg.data.event, msg.data.payload);
        return;
      }
      const id = msg.data.id;
      if (id === null) return;
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      p.resolve(msg.data.ok ? { ok: true, result: msg.data.result } : { ok: false, error: msg.data.error });
    };
    socket.onclose = (ev) => {
      opts.onStatus?.(ev.code === 4401 ? 'unauthorized' : 'closed');
      ws = null;
      // Calls in flight when the connection dropped cannot be known to have run; fail them clearly.
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve({ ok: false, error: { code: 'INTERNAL', message: 'Lost the connection to the studio while waiting for an answer. Try again.' } });
      }
      if (ev.code === 4401) return; // bad token: reconnecting cannot help
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    call(method, params) {
      const id = nextId++;
      const text = JSON.stringify({ type: 'request', id, method, params });
      return new Promise<CallOutcome>((resolve) => {
        pending.set(id, { resolve });
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
        else queue.push(text);
      });
    },
    subscribe(listener) {
      subscribers.add(listener);
      return () => subscribers.delete(listener);
    },
  };
}
