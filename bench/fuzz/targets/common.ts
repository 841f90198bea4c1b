/**
 * A fuzz target: how to build the seed inputs, the mutators and the parse call for one parser of outside data, shared
 * by its `*.fuzz.test.ts` (a few hundred cases in CI) and bench/fuzz (many more). See src/main/testing/fuzz.ts.
 */
import { formatCrashes, fuzz, type FuzzCase, type FuzzCrash, type FuzzReport, type Mutator, type Outcome } from '../../../src/main/testing/fuzz';

export interface FuzzSetup<T, R> {
  seeds: T[];
  mutators: Mutator<T>[];
  parse: (input: T, c: FuzzCase<T>) => R | Promise<R>;
  classify?: (err: unknown) => boolean;
  check?: (result: R, c: FuzzCase<T>) => void | Promise<void>;
  after?: (c: FuzzCase<T>, outcome: Outcome) => void | Promise<void>;
  maxCaseMs?: number;
  maxCaseMiB?: number;
  hangMs?: number;
  /** Checks after the whole run ("the library is intact", "the server still serves"); throws when broken. */
  finish?: () => void | Promise<void>;
  close?: () => void | Promise<void>;
}

export interface FuzzTarget {
  name: string;
  /** What is fuzzed, one line. */
  about: string;
  /** Cases per CI run (a few seconds on a shared core). */
  ciIterations: number;
  create(): Promise<FuzzSetup<any, any>>;
}

export interface RunOptions {
  iterations?: number;
  seed?: number;
  timeBudgetMs?: number;
  hangReportFile?: string;
  onCrash?: (c: FuzzCase<unknown>, crash: FuzzCrash) => void;
}

export interface TargetReport extends FuzzReport {
  /** The run-level check (`finish`) failure, if any (counted as one crash). */
  finishError: string | null;
}

/** Builds the target, fuzzes it, runs its final checks and tears it down. */
export async function runTarget(t: FuzzTarget, o: RunOptions = {}): Promise<TargetReport> {
  const setup = await t.create();
  try {
    const report = await fuzz(t.name, setup.seeds, setup.parse, {
      iterations: o.iterations ?? t.ciIterations,
      seed: o.seed ?? 1,
      mutators: setup.mutators,
      classify: setup.classify,
      check: setup.check,
      after: setup.after,
      maxCaseMs: setup.maxCaseMs,
      maxCaseMiB: setup.maxCaseMiB,
      hangMs: setup.hangMs,
      timeBudgetMs: o.timeBudgetMs,
      hangReportFile: o.hangReportFile,
      onCrash: o.onCrash,
    });
    let finishError: string | null = null;
    try {
      await setup.finish?.();
    } catch (err) {
      finishError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      report.crashes++;
    }
    return { ...report, finishError };
  } finally {
    await setup.close?.();
  }
}

/** The crashes and the run-level failure of a report, for a test's failure message. */
export function describeReport(r: TargetReport): string {
  return `${formatCrashes(r)}${r.finishError ? `\nafter the run: ${r.finishError}` : ''}`;
}

/** Big-endian u32 at `p` (PNG, JPEG fields). */
export const be32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
export const be16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
export const le32 = (b: Uint8Array, p: number) => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
export const le16 = (b: Uint8Array, p: number) => b[p]! | (b[p + 1]! << 8);
