import { describe, expect, it } from 'vitest';
import {
  cspForAppPath,
  ENGINE_CSP,
  isAppPageUrl,
  isEnginePageUrl,
  isLiveRoute,
  isNavigationAllowed,
  isTrustedIpcSender,
  permissionDecision,
  RENDERER_CSP,
  windowOpenDecision,
} from './security-policy';

const ID = 'a'.repeat(32);
const live = `studio://app/index.html#/project/${ID}/live`;

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
}

describe('CSP', () => {
  it('the studio page allows only its own scripts: no inline, no eval, no plugins, no framing', () => {
    const d = directives(RENDERER_CSP);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(RENDERER_CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'|\*/);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('connect-src')).not.toContain('https:');
  });
  it('the engine page gets a CSP with nothing but its own script', () => {
    expect(cspForAppPath('/engine.html')).toBe(ENGINE_CSP);
    expect(cspForAppPath('/index.html')).toBe(RENDERER_CSP);
    const d = directives(ENGINE_CSP);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
  });
});

describe('pages and IPC senders', () => {
  it('recognises the studio page by origin and path, not by prefix', () => {
    expect(isAppPageUrl('studio://app/index.html')).toBe(true);
    expect(isAppPageUrl('studio://app/index.html#/trash')).toBe(true);
    expect(isAppPageUrl('studio://app/')).toBe(true);
    expect(isAppPageUrl('studio://app/engine.html')).toBe(false);
    expect(isAppPageUrl('studio://app.evil/index.html')).toBe(false);
    expect(isAppPageUrl('studio://files/x/index.html')).toBe(false);
    expect(isAppPageUrl('file:///index.html')).toBe(false);
    expect(isAppPageUrl('https://app/index.html')).toBe(false);
    expect(isAppPageUrl('not a url')).toBe(false);
    expect(isAppPageUrl(undefined)).toBe(false);
    expect(isEnginePageUrl('studio://app/engine.html')).toBe(true);
  });
  it('trusts only the top frame of a studio window on the studio page', () => {
    const ok = { frameUrl: 'studio://app/index.html#/', isMainFrame: true, isStudioWindow: true };
    expect(isTrustedIpcSender(ok)).toBe(true);
    expect(isTrustedIpcSender({ ...ok, isMainFrame: false })).toBe(false);
    expect(isTrustedIpcSender({ ...ok, isStudioWindow: false })).toBe(false);
    expect(isTrustedIpcSender({ ...ok, frameUrl: 'studio://app/engine.html' })).toBe(false);
    expect(isTrustedIpcSender({ ...ok, frameUrl: null })).toBe(false);
    expect(isTrustedIpcSender({ ...ok, frameUrl: 'https://example.com/' })).toBe(false);
  });
  it('allows navigation only to the studio page and sends only https links out', () => {
    expect(isNavigationAllowed('studio://app/index.html#/trash')).toBe(true);
    expect(isNavigationAllowed('file:///etc/passwd')).toBe(false);
    expect(isNavigationAllowed('https://example.com')).toBe(false);
    expect(isNavigationAllowed('studio://files/abc/x.html')).toBe(false);
    expect(windowOpenDecision('https://example.com/docs')).toEqual({ action: 'deny', openExternally: true });
    expect(windowOpenDecision('http://example.com/')).toEqual({ action: 'deny', openExternally: false });
    expect(windowOpenDecision('file:///bin/sh')).toEqual({ action: 'deny', openExternally: false });
    expect(windowOpenDecision('https://user:pw@example.com/')).toEqual({ action: 'deny', openExternally: false });
    expect(windowOpenDecision('javascript:alert(1)')).toEqual({ action: 'deny', openExternally: false });
  });
});

describe('permissions', () => {
  it('grants the camera only to the live page, video only, top frame only', () => {
    expect(isLiveRoute(live)).toBe(true);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: true, mediaTypes: ['video'] })).toBe(true);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: true, mediaType: 'video' })).toBe(true);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: true, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: true, mediaTypes: [] })).toBe(false);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: true })).toBe(false);
    expect(permissionDecision({ permission: 'media', requestingUrl: live, isMainFrame: false, mediaTypes: ['video'] })).toBe(false);
    for (const other of [`studio://app/index.html#/project/${ID}`, `studio://app/index.html#/project/${ID}/footage`, 'studio://app/index.html#/', `studio://app/engine.html#/project/${ID}/live`, `https://evil.example/#/project/${ID}/live`, `studio://app/index.html#/project/${ID}/lively`]) {
      expect(permissionDecision({ permission: 'media', requestingUrl: other, isMainFrame: true, mediaTypes: ['video'] }), other).toBe(false);
    }
  });
  it('refuses everything else, allows full screen for the studio page', () => {
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'usb', 'serial', 'display-capture', 'midiSysex', 'unknown']) {
      expect(permissionDecision({ permission, requestingUrl: live, isMainFrame: true }), permission).toBe(false);
    }
    expect(permissionDecision({ permission: 'fullscreen', requestingUrl: 'studio://app/index.html#/', isMainFrame: true })).toBe(true);
    expect(permissionDecision({ permission: 'fullscreen', requestingUrl: 'studio://app/engine.html', isMainFrame: true })).toBe(false);
  });
});
