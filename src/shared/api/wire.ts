import { z } from 'zod';
import { StudioErrorShape } from './errors';

/**
 * The envelope of every message between a front door and the services host (WebSocket in web mode, IPC in
 * Electron). Requests carry a client-chosen id that the response echoes.
 */
export const MAX_MESSAGE_BYTES = 1 << 20; // 1 MiB: calls carry ids and settings, never media (media goes through asset URLs)

export const RequestMessage = z.strictObject({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  params: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof RequestMessage>;

export const ResponseMessage = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: z.number().int().nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int().nullable(), ok: z.literal(false), error: StudioErrorShape }),
]);
export type ResponseMessage = z.infer<typeof ResponseMessage>;

export const EventMessage = z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() });
export type EventMessage = z.infer<typeof EventMessage>;

export const ServerMessage = z.union([ResponseMessage, EventMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** The outcome of one call as the services host returns it to any front door. */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: StudioErrorShape };
