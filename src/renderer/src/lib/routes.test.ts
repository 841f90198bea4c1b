import { describe, expect, it } from 'vitest';
import { hrefOf, parseHash } from './routes';

describe('hash routes', () => {
  const id = '0123456789abcdef0123456789abcdef';
  it('parses the three pages and falls back to the library', () => {
    expect(parseHash('')).toEqual({ name: 'library' });
    expect(parseHash('#/')).toEqual({ name: 'library' });
    expect(parseHash('#/trash')).toEqual({ name: 'trash' });
    expect(parseHash(`#/project/${id}`)).toEqual({ name: 'project', id });
    expect(parseHash('#/project/not-an-id')).toEqual({ name: 'library' });
    expect(parseHash('#/somewhere')).toEqual({ name: 'library' });
  });
  it('round-trips', () => {
    for (const r of [{ name: 'library' }, { name: 'trash' }, { name: 'project', id }] as const) expect(parseHash(hrefOf(r))).toEqual(r);
    for (const r of [{ name: 'project', id, section: 'footage' }, { name: 'project', id, section: 'footage', captureId: id }] as const) expect(parseHash(hrefOf(r))).toEqual(r);
    expect(parseHash(`#/project/${id}/footage/not-an-id`)).toEqual({ name: 'library' });
    const viewport = { name: 'project', id, section: 'viewport', avatarId: id } as const;
    expect(parseHash(hrefOf(viewport))).toEqual(viewport);
    expect(parseHash(`#/project/${id}/viewport`)).toEqual({ name: 'library' });
    const live = { name: 'project', id, section: 'live', avatarId: id } as const;
    expect(hrefOf(live)).toBe(`#/project/${id}/live/${id}`);
    expect(parseHash(hrefOf(live))).toEqual(live);
    // Without an avatar, Live and Texture are the pages that list the avatars to pick one.
    for (const section of ['live', 'texture', 'tracking', 'export'] as const) {
      const page = { name: 'project', id, section } as const;
      expect(hrefOf(page)).toBe(`#/project/${id}/${section}`);
      expect(parseHash(hrefOf(page))).toEqual(page);
      expect(parseHash(`${hrefOf(page)}/`)).toEqual(page);
    }
    expect(parseHash(`#/project/${id}/live/not-an-id`)).toEqual({ name: 'library' });
    expect(parseHash(`#/project/${id}/export/${id}`)).toEqual({ name: 'library' });
    const texture = { name: 'project', id, section: 'texture', avatarId: id } as const;
    expect(parseHash(hrefOf(texture))).toEqual(texture);
    for (const training of [{ name: 'project', id, section: 'training' }, { name: 'project', id, section: 'training', avatarId: id }] as const) expect(parseHash(hrefOf(training))).toEqual(training);
  });
});
