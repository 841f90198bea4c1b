import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_IDS, EXPORT_FORMATS, ExportFormat, exportFormatsOfKind } from '@shared/model/export-formats';
import { EXPORT_WRITERS } from './index';

describe('export format registry', () => {
  it('has one writer per format of the shared registry, each for its own format', () => {
    expect(Object.keys(EXPORT_WRITERS).sort()).toEqual([...EXPORT_FORMAT_IDS].sort());
    for (const id of EXPORT_FORMAT_IDS) expect(EXPORT_WRITERS[id].format).toBe(id);
    expect(ExportFormat.options).toEqual(EXPORT_FORMAT_IDS);
  });

  it('says what each request carries and how its default target is named', () => {
    expect(exportFormatsOfKind('static')).toEqual(['ply', 'gltf', 'spz']);
    expect(exportFormatsOfKind('video')).toEqual(['mp4', 'png-sequence']);
    expect(exportFormatsOfKind('mesh')).toEqual(['mesh-obj', 'mesh-gltf']);
    for (const f of EXPORT_FORMATS) {
      expect(f.label.length, f.id).toBeGreaterThan(0);
      // A static or video format's target is a suffix after the pose / sequence; the others are whole names.
      if (f.kind === 'static' || f.kind === 'video') expect(f.target, f.id).toMatch(/^[.-]/);
      else expect(f.target, f.id).toMatch(/^[a-z]/);
      // A folder's default name has no file extension.
      if (f.folder) expect(f.target, f.id).not.toMatch(/\.[a-z0-9]+$/);
    }
  });
});
