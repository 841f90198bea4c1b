/**
 * CPU reference for the GPU radix sort: a stable sort of (key, value) pairs by the low `bits` bits of the u32 key
 * (ties keep input order, as the LSD radix sort does).
 */
export function stableSortPairs(
  keys: ArrayLike<number>,
  values: ArrayLike<number>,
  n = keys.length,
  bits = 32,
): { keys: Uint32Array; values: Uint32Array } {
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const order = Array.from({ length: n }, (_, i) => i);
  const k = (i: number) => (keys[i] & mask) >>> 0;
  order.sort((a, b) => k(a) - k(b) || a - b);
  return {
    keys: Uint32Array.from(order, (i) => keys[i] >>> 0),
    values: Uint32Array.from(order, (i) => values[i] >>> 0),
  };
}
