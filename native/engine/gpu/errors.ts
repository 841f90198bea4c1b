/** Typed errors of the GPU layer. */

/** No WebGPU adapter could be created; `attempts` lists what was tried and why it failed. */
export class NoAdapterError extends Error {
  override readonly name = 'NoAdapterError';
  constructor(
    readonly attempts: readonly string[],
    hint: string,
  ) {
    super(`No WebGPU adapter available. Tried:\n  - ${attempts.join('\n  - ')}\n${hint}`);
  }
}

/** The device was lost (driver reset, destroy(), out of memory); pending engine work rejects with this. */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`GPU device lost (${reason}): ${detail}`);
  }
}

/** A scene or intermediate buffer would exceed its allocated capacity. */
export class CapacityError extends RangeError {
  override readonly name = 'CapacityError';
}
