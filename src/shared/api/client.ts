import { events, methods, type CallArgs, type EventName, type EventPayload, type MethodName, type MethodResult } from './contract';
import { StudioError, type StudioErrorShape } from './errors';
import type { CallOutcome } from './wire';

/** How a client reaches the services host: WebSocket (web mode), the preload bridge (Electron), or in-process. */
export interface StudioTransport {
  call(method: string, params: unknown): Promise<CallOutcome>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

export interface StudioClient {
  call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<MethodResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/**
 * The typed client every front end uses. Results and events are validated here too, so a renderer never acts on
 * a malformed message even if the host or the transport misbehaves.
 */
export function createStudioClient(transport: StudioTransport): StudioClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  transport.subscribe((event, payload) => {
    const set = listeners.get(event);
    if (!set || !(event in events)) return;
    const parsed = events[event as EventName].safeParse(payload);
    if (!parsed.success) return;
    for (const l of set) l(parsed.data);
  });

  return {
    async call(method, ...args) {
      const outcome = await transport.call(method, args[0] ?? {});
      if (!outcome.ok) throw StudioError.fromShape(outcome.error as StudioErrorShape);
      const parsed = methods[method].result.safeParse(outcome.result);
      if (!parsed.success) throw new StudioError('INTERNAL', `The studio sent an unexpected answer to ${method}. Reload the window; if it persists, report a bug.`);
      return parsed.data as MethodResult<typeof method>;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set!.delete(l);
    },
  };
}
