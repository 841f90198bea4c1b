/**
 * How a GPU session call's arguments cross a structured-clone channel: functions (progress callbacks) and AbortSignals
 * anywhere in plain objects or arrays travel as markers; the engine side puts live stand-ins in their place that
 * report back (`callback` events) or follow the call's cancellation. Errors come back by class name and are revived
 * as the classes callers test for (`instanceof RangeError`, `DeviceLostError`, …).
 */
import { DeviceLostError } from '../gpu/errors';
import type { EngineErrorData } from './protocol';

interface FnMarker {
  __sessionFn: number;
}
interface SignalMarker {
  __sessionSignal: true;
}

type AnyFn = (...args: unknown[]) => unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Client side: the arguments with markers, the functions they stand for (by marker number) and the signals. */
export function encodeCallArgs(args: readonly unknown[]): { args: unknown[]; fns: AnyFn[]; signals: AbortSignal[] } {
  const fns: AnyFn[] = [];
  const signals: AbortSignal[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'function') {
      fns.push(v as AnyFn);
      return { __sessionFn: fns.length - 1 } satisfies FnMarker;
    }
    if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) {
      signals.push(v);
      return { __sessionSignal: true } satisfies SignalMarker;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return { args: args.map(walk), fns, signals };
}

/** The error a stand-in callback throws once its call was cancelled: the engine code stops at its next report. */
export function callCancelledError(): Error {
  return Object.assign(new Error('The call was cancelled.'), { name: 'AbortError' });
}

/**
 * Engine side: markers replaced by live stand-ins. A stand-in callback posts its arguments back and, once the call is
 * cancelled, throws (so engine loops that report progress stop there); a signal marker becomes the call's signal.
 */
export function decodeCallArgs(args: readonly unknown[], report: (fn: number, args: unknown[]) => void, signal: AbortSignal): unknown[] {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      if (typeof v.__sessionFn === 'number' && Object.keys(v).length === 1) {
        const fn = v.__sessionFn;
        return (...a: unknown[]) => {
          if (signal.aborted) throw callCancelledError();
          report(fn, a);
        };
      }
      if (v.__sessionSignal === true && Object.keys(v).length === 1) return signal;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return args.map(walk);
}

/** An engine error re-created on the client with its original class where callers test for it. */
export function reviveEngineError(data: EngineErrorData): Error {
  switch (data.name) {
    case 'DeviceLostError':
      return deviceLostError(data.message);
    case 'RangeError':
      return new RangeError(data.message);
    case 'TypeError':
      return new TypeError(data.message);
    default: {
      const e = new Error(data.message);
      e.name = data.name;
      return e;
    }
  }
}

/** A `DeviceLostError` carrying the engine's own message (already worded by the engine's DeviceLostError). */
export function deviceLostError(message: string, reason = 'lost'): DeviceLostError {
  const e = new DeviceLostError(reason, '');
  e.message = message;
  return e;
}
