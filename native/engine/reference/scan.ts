/** CPU reference for the GPU prefix sum: exclusive scan of u32 with 32-bit wrap-around, plus the total. */
export function exclusiveScanU32(input: ArrayLike<number>, n = input.length): { output: Uint32Array; total: number } {
  const output = new Uint32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    output[i] = sum;
    sum = (sum + input[i]) >>> 0;
  }
  return { output, total: sum };
}
