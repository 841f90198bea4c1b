/**
 * A head model as plain data, so a model built where the files are (the open head from a subject's expression space,
 * or a FLAME file the user chose) can be rebuilt where the GPU work runs (a Chromium engine page has no file access).
 */
import { SkinnedHeadModel, type HeadModel, type LandmarkEmbedding, type SkinnedModelData, type UvLayout } from './head-model';

export interface HeadModelWire {
  kind: HeadModel['kind'];
  data: SkinnedModelData;
  uv: UvLayout | null;
  landmarks: LandmarkEmbedding;
  expressionRange: Float32Array;
  /** The open head's part ranges (absent for FLAME). */
  parts?: unknown;
}

export function headModelToWire(model: HeadModel): HeadModelWire {
  const parts = (model as { parts?: unknown }).parts;
  return { kind: model.kind, data: model.data, uv: model.uv, landmarks: model.landmarks, expressionRange: model.expressionRange, ...(parts ? { parts } : {}) };
}

export function headModelFromWire(wire: HeadModelWire): HeadModel {
  const model = new SkinnedHeadModel(wire.kind, wire.data, wire.uv, wire.landmarks, wire.expressionRange);
  if (wire.parts) (model as { parts?: unknown }).parts = wire.parts;
  return model;
}
