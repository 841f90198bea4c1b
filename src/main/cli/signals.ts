import { constants } from 'node:os';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** A second SIGINT this soon after one is the same Ctrl+C: a terminal sends it to `avatar-studio` and the CLI it runs, which passes it on too. */
const SAME_CTRL_C_MS = 1000;
/** However the clean-up goes, the process ends within this. */
const STOP_DEADLINE_MS = 15_000;

/** The part of a CLI run the signal handler works with (CliContext). */
export interface SignalTarget {
  /** Gives the signal to what the command registered for it (cancel the followed job, stop serving); false when nothing took it. */
  takeSignal(signal: StopSignal): boolean;
  /** Stops at once: closes the library (a running job is left interrupted, its worker ended, the lock released); returns what to tell the user. */
  stopNow(signal: StopSignal): Promise<{ message: string; json?: Record<string, unknown> }>;
}

export const signalExitCode = (signal: StopSignal): number => 128 + (constants.signals[signal] ?? 0);

/**
 * How `avatar-studio` ends on SIGINT (Ctrl+C), SIGTERM and SIGHUP. The running command may take a signal first: while a
 * job is followed, Ctrl+C cancels it; `serve` stops its server. Otherwise, or on another Ctrl+C, the CLI stops at once:
 * its library is closed — the job it runs is left interrupted (resumable, as a kill leaves it), the job's worker ends and
 * `library.lock` is released — and the process exits with 128 + the signal's number, saying so on stderr (and, with
 * --json, as `{"error":{"code":"CANCELLED",…}}` on stdout). Returns the function that removes the handlers.
 */
export function installStopSignals(target: () => SignalTarget | null, json: () => boolean): () => void {
  let stopping = false;
  let lastSigint = 0;
  const onSignal = (signal: StopSignal) => {
    if (stopping) return;
    if (signal === 'SIGINT') {
      const now = Date.now();
      if (now - lastSigint < SAME_CTRL_C_MS) return;
      lastSigint = now;
    }
    const t = target();
    if (t?.takeSignal(signal)) return;
    stopping = true;
    const exitCode = signalExitCode(signal);
    setTimeout(() => {
      process.stderr.write(`\navatar-studio: stopped by ${signal}; the clean-up took too long.\n`);
      process.exit(exitCode);
    }, STOP_DEADLINE_MS).unref();
    type Stopped = Awaited<ReturnType<SignalTarget['stopNow']>>;
    const stopped: Promise<Stopped> = t ? t.stopNow(signal) : Promise.resolve({ message: `Stopped by ${signal}.` });
    stopped
      .catch((err: unknown): Stopped => ({ message: `Stopped by ${signal} (the library did not close cleanly: ${(err as Error)?.message ?? String(err)}).` }))
      .then(({ message, json: extra }) => {
        if (json()) process.stdout.write(`${JSON.stringify({ error: { code: 'CANCELLED', message }, ...(extra ?? {}) })}\n`);
        process.stderr.write(`\navatar-studio: ${message}\n`);
        process.exit(exitCode);
      });
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  };
}
