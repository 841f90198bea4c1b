/**
 * The per-test limit of the engine's heavier tests: a hang guard, not a speed budget. Their work (training steps,
 * bakes, renders on a CPU adapter) takes longer on a busy machine, which must not fail them; only a test that stops
 * advancing altogether should (the same rule as src/main/testing's JOB_TEST_TIMEOUT). `TEST_HANG_GUARD_MS` overrides it.
 */
export const ENGINE_TEST_TIMEOUT = Number(process.env.TEST_HANG_GUARD_MS ?? 60 * 60_000);
