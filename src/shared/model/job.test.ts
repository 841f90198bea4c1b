import { describe, expect, it } from 'vitest';
import { canResumeJob } from './job';

describe('canResumeJob', () => {
  it('offers Resume for paused, interrupted and cancelled jobs and for failures that may pass', () => {
    for (const status of ['paused', 'interrupted', 'cancelled'] as const) expect(canResumeJob({ status, error: null }), status).toBe(true);
    expect(canResumeJob({ status: 'failed', error: { code: 'INTERNAL', message: 'The job’s process crashed.' } })).toBe(true);
    expect(canResumeJob({ status: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.' } })).toBe(true);
    expect(canResumeJob({ status: 'failed', error: { code: 'CONFLICT', message: 'Track the capture first.' } })).toBe(true);
  });
  it('does not offer it for running or finished jobs, nor for a refused input', () => {
    for (const status of ['queued', 'running', 'completed'] as const) expect(canResumeJob({ status, error: null }), status).toBe(false);
    expect(canResumeJob({ status: 'failed', error: { code: 'BAD_REQUEST', message: '“a.mp4” is not a video.' } })).toBe(false);
    expect(canResumeJob({ status: 'failed', error: { code: 'CONFLICT', message: 'Already in the project.', details: { final: true } } })).toBe(false);
  });
});
