import { createOpenHead, type OpenHead } from './build';
import type { ExpressionSpace } from './expression-space';

/** JSON form of a subject's expression space (stored as `tracking/expression-space.json`). */
export interface StoredExpressionSpace {
  mean: number[];
  basis: number[];
  count: number;
  sigma: number[];
  varianceKept: number;
  range: number[];
  /** The subject's rest expression (`ExpressionSpace.rest`); absent in spaces learnt before it was recorded. */
  rest?: number[];
}

export function serializeExpressionSpace(space: ExpressionSpace): StoredExpressionSpace {
  const round = (a: ArrayLike<number>) => Array.from(a, (v) => +v.toPrecision(7));
  return { mean: round(space.mean), basis: round(space.basis), count: space.count, sigma: round(space.sigma), varianceKept: space.varianceKept, range: round(space.range), ...(space.rest ? { rest: round(space.rest) } : {}) };
}

/** The open head with this subject's face and expression space. */
export function openHeadFor(space: { mean: ArrayLike<number>; basis: ArrayLike<number>; count: number; range: ArrayLike<number> }): OpenHead {
  return createOpenHead({ face: space.mean, expression: { basis: space.basis, count: space.count, range: space.range } });
}
