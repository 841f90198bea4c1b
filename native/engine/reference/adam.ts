/** Adam (3DGS settings: β1 0.9, β2 0.999, ε 1e-15), bias-corrected; one parameter group per call. */

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-15;

export interface AdamState {
  m: Float64Array;
  v: Float64Array;
}

export function adamState(n: number): AdamState {
  return { m: new Float64Array(n), v: new Float64Array(n) };
}

/**
 * In-place Adam step `t` (1-based) on `params` with gradient `grad` and learning rate `lr`.
 */
export function adamStep(
  params: { [i: number]: number; length: number },
  grad: ArrayLike<number>,
  state: AdamState,
  t: number,
  lr: number,
  beta1 = ADAM_BETA1,
  beta2 = ADAM_BETA2,
  eps = ADAM_EPS,
): void {
  const bc1 = 1 - beta1 ** t;
  const bc2 = 1 - beta2 ** t;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    state.m[i] = beta1 * state.m[i] + (1 - beta1) * g;
    state.v[i] = beta2 * state.v[i] + (1 - beta2) * g * g;
    const mh = state.m[i] / bc1;
    const vh = state.v[i] / bc2;
    params[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
  }
}
