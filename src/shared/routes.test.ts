import { describe, expect, it } from 'vitest';
import { deepLinkRoute, hrefOf, parseHash, railItemOf } from './routes';

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
  it('keeps at most one trailing slash and lower-case ids only', () => {
    expect(parseHash(`#/project/${id}/`)).toEqual({ name: 'project', id });
    expect(parseHash(`#/project/${id}//`)).toEqual({ name: 'library' });
    expect(parseHash(`#/project/${id.toUpperCase()}`)).toEqual({ name: 'library' });
    expect(parseHash('#/trash/')).toEqual({ name: 'trash' });
    expect(hrefOf({ name: 'project', id, section: 'viewport' })).toBe(`#/project/${id}/viewport/`);
  });
  it('lights the rail item of each project page', () => {
    expect(railItemOf(undefined)).toBe('overview');
    expect(railItemOf('viewport')).toBe('avatar');
    expect(railItemOf('training')).toBe('avatar');
    for (const s of ['footage', 'tracking', 'texture', 'live', 'export'] as const) expect(railItemOf(s)).toBe(s);
  });
  it('opens only the pages the table marks by deep link', () => {
    expect(deepLinkRoute(`project/${id}`)).toEqual({ name: 'project', id });
    expect(deepLinkRoute(`project/${id.toUpperCase()}/footage/`)).toEqual({ name: 'project', id, section: 'footage' });
    expect(deepLinkRoute(`project/${id}/live`)).toEqual({ name: 'project', id, section: 'live' });
    for (const bad of [`project/${id}/export`, `project/${id}/live/${id}`, `project/${id}/footage/${id}`, 'trash', '', `project/${id}/../x`]) expect(deepLinkRoute(bad), bad).toBeNull();
  });
});
