/**
 * Workgroup counts above maxComputeWorkgroupsPerDimension (65 535) are split over x and y; kernels rebuild the
 * linear workgroup index with `linear_workgroup(wid, nwg)` from the shared WGSL (wgsl/common.ts) and must bounds-check.
 */
export function workgroups2D(count: number, maxPerDim = 65535): [number, number] {
  if (count <= maxPerDim) return [Math.max(0, count), 1];
  const y = Math.ceil(count / maxPerDim);
  if (y > maxPerDim) throw new RangeError(`${count} workgroups exceed ${maxPerDim}² (2D dispatch limit)`);
  return [Math.ceil(count / y), y];
}

/** Workgroups for `items` items at `perWorkgroup` items each, as a 2D grid. */
export function gridFor(items: number, perWorkgroup: number, maxPerDim = 65535): [number, number] {
  return workgroups2D(Math.ceil(items / perWorkgroup), maxPerDim);
}
