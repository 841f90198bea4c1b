import type { EngineDevice } from '../../native/engine/gpu/engine-device';

/** The adapter fields every GPU bench prints in its JSON: the adapter in words and why it was chosen. */
export function adapterFields(engine: EngineDevice): { adapter: string; adapterReason: string } {
  const a = engine.adapter;
  return { adapter: `${a.vendor} ${a.architecture} ${a.description}`.trim() + ` (${a.backend}, via ${a.via})`, adapterReason: a.reason };
}
