import { describe, expect, it } from 'vitest';
import { createStudioClient, type StudioTransport } from './client';
import { methods, METHOD_NAMES } from './contract';
import { StudioError } from './errors';
import { METHOD_NAME_LIST } from './method-names';
import type { CallOutcome } from './wire';

describe('StudioApi contract', () => {
  it('lists the same method names for the preload as the contract defines', () => {
    expect([...METHOD_NAME_LIST].sort()).toEqual([...METHOD_NAMES].sort());
  });

  it('normalises good parameters and rejects bad ones', () => {
    expect(methods['projects.create'].params.parse({ name: '  My   head  ' })).toEqual({ name: 'My head' });
    for (const bad of [{ name: '' }, { name: '   ' }, { name: 'a\u0007b' }, { name: 'x'.repeat(121) }, { name: 3 }, {}, { name: 'ok', extra: true }]) {
      expect(methods['projects.create'].params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(methods['projects.get'].params.safeParse({ id: '../../etc' }).success).toBe(false);
    expect(methods['projects.list'].params.parse({})).toEqual({ trashed: false });
  });

  it('round-trips typed errors', () => {
    const e = new StudioError('NOT_FOUND', 'Gone', { id: 'x' });
    const back = StudioError.fromShape(JSON.parse(JSON.stringify(e.toShape())));
    expect(back).toBeInstanceOf(StudioError);
    expect(back.code).toBe('NOT_FOUND');
    expect(back.details).toEqual({ id: 'x' });
  });
});

describe('createStudioClient', () => {
  function transport(outcome: CallOutcome): StudioTransport & { emit(e: string, p: unknown): void } {
    let listener: (e: string, p: unknown) => void = () => {};
    return {
      call: async () => outcome,
      subscribe: (l) => {
        listener = l;
        return () => {};
      },
      emit: (e, p) => listener(e, p),
    };
  }

  it('throws the typed error a call failed with', async () => {
    const client = createStudioClient(transport({ ok: false, error: { code: 'CONFLICT', message: 'Busy' } }));
    await expect(client.call('projects.list')).rejects.toMatchObject({ code: 'CONFLICT', message: 'Busy' });
  });

  it('refuses a result that does not match the contract', async () => {
    const client = createStudioClient(transport({ ok: true, result: [{ id: 'nope' }] }));
    await expect(client.call('projects.list')).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('delivers only events whose payload matches the contract', () => {
    const t = transport({ ok: true, result: null });
    const client = createStudioClient(t);
    const got: unknown[] = [];
    client.on('projects.changed', (p) => got.push(p));
    t.emit('projects.changed', { ids: ['a'] });
    t.emit('projects.changed', { ids: 'not-an-array' });
    t.emit('unknown.event', {});
    expect(got).toEqual([{ ids: ['a'] }]);
  });
});
