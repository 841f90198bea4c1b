/** Mesh topology helpers: boundary loops, edge manifoldness, signed volume. */

/** Closed boundary loops, each ordered so that a triangle added beside edge (a → b) must contain the half-edge a → b. */
export function boundaryLoops(triangles: ArrayLike<number>): number[][] {
  const half = new Set<string>();
  for (let t = 0; t < triangles.length; t += 3)
    for (let k = 0; k < 3; k++) half.add(`${triangles[t + k]},${triangles[t + ((k + 1) % 3)]}`);
  const next = new Map<number, number>();
  for (let t = 0; t < triangles.length; t += 3)
    for (let k = 0; k < 3; k++) {
      const a = triangles[t + k]!, b = triangles[t + ((k + 1) % 3)]!;
      if (!half.has(`${b},${a}`)) next.set(b, a);
    }
  const seen = new Set<number>();
  const loops: number[][] = [];
  for (const s of next.keys()) {
    if (seen.has(s)) continue;
    const loop: number[] = [];
    let x: number | undefined = s;
    while (x !== undefined && !seen.has(x)) {
      seen.add(x);
      loop.push(x);
      x = next.get(x);
    }
    loops.push(loop);
  }
  return loops;
}

export interface ManifoldReport {
  boundaryEdges: number;
  nonManifoldEdges: number; // used by more than two triangles
  inconsistentEdges: number; // a half-edge used twice (neighbours oriented oppositely)
  components: number;
  eulerCharacteristic: number;
}

export function manifoldReport(triangles: ArrayLike<number>, vertexCount: number): ManifoldReport {
  const undirected = new Map<string, number>();
  const directed = new Map<string, number>();
  const parent = Int32Array.from({ length: vertexCount }, (_, i) => i);
  const find = (x: number): number => { while (parent[x] !== x) { parent[x] = parent[parent[x]!]!; x = parent[x]!; } return x; };
  const used = new Uint8Array(vertexCount);
  for (let t = 0; t < triangles.length; t += 3)
    for (let k = 0; k < 3; k++) {
      const a = triangles[t + k]!, b = triangles[t + ((k + 1) % 3)]!;
      used[a] = 1;
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      undirected.set(key, (undirected.get(key) ?? 0) + 1);
      directed.set(`${a},${b}`, (directed.get(`${a},${b}`) ?? 0) + 1);
      parent[find(a)] = find(b);
    }
  let boundaryEdges = 0, nonManifoldEdges = 0, inconsistentEdges = 0;
  for (const c of undirected.values()) { if (c === 1) boundaryEdges++; if (c > 2) nonManifoldEdges++; }
  for (const c of directed.values()) if (c > 1) inconsistentEdges++;
  const roots = new Set<number>();
  let V = 0;
  for (let v = 0; v < vertexCount; v++) if (used[v]) { roots.add(find(v)); V++; }
  return { boundaryEdges, nonManifoldEdges, inconsistentEdges, components: roots.size, eulerCharacteristic: V - undirected.size + triangles.length / 3 };
}

/** Signed volume of a closed triangle mesh (positive when triangles are counter-clockwise seen from outside). */
export function signedVolume(positions: ArrayLike<number>, triangles: ArrayLike<number>): number {
  let vol = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]! * 3, b = triangles[t + 1]! * 3, c = triangles[t + 2]! * 3;
    const ax = positions[a]!, ay = positions[a + 1]!, az = positions[a + 2]!;
    const bx = positions[b]!, by = positions[b + 1]!, bz = positions[b + 2]!;
    const cx = positions[c]!, cy = positions[c + 1]!, cz = positions[c + 2]!;
    vol += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return vol / 6;
}
