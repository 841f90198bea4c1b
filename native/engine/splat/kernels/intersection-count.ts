/**
 * One invocation: the total number of tile intersections from the exclusive scan's last element.
 * counters = [N, total, min(total, capacity), overflow ? 1 : 0].
 */
export const intersectionCountWgsl = /* wgsl */ `
struct CountParams { n: u32, capacity: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read> sorted_counts: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> counters: array<u32>;

@compute @workgroup_size(1)
fn main() {
  var total = 0u;
  if (params.n > 0u) {
    let last = params.n - 1u;
    total = offsets[last] + sorted_counts[last];
    // u32 wrap-around means more than 2^32 intersections; treat as overflow.
    if (total < offsets[last]) { total = 0xffffffffu; }
  }
  counters[0] = params.n;
  counters[1] = total;
  counters[2] = min(total, params.capacity);
  counters[3] = select(0u, 1u, total > params.capacity);
}
`;
