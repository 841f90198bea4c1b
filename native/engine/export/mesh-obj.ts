/**
 * Wavefront OBJ of one posed head mesh with UVs (platform-neutral, returns bytes): `v x y z` per vertex (metres, 6
 * decimals = 1 µm), `vt u v` per UV with v flipped to OBJ's bottom-up convention (vt = 1 − v of the open head's
 * top-down layout), `f a/ta b/tb c/tc` per triangle (1-based, counter-clockwise seen from outside, as the head's
 * triangles are). One object `head`, no normals (DCC tools compute smooth ones), no material.
 */
export interface UvMesh {
  vertices: ArrayLike<number>;
  triangles: ArrayLike<number>;
  /** U×2, u right, v down, in [0, 1]. */
  uv: ArrayLike<number>;
  /** T×3 indices into uv, one UV triangle per mesh triangle. */
  uvTriangles: ArrayLike<number>;
}

export function writeMeshObj(mesh: UvMesh, comment = ''): Uint8Array {
  const lines: string[] = [];
  for (const c of comment.split('\n').filter(Boolean)) lines.push(`# ${c}`);
  lines.push('o head');
  const V = mesh.vertices.length / 3, U = mesh.uv.length / 2, T = mesh.triangles.length / 3;
  const f6 = (x: number) => (Object.is(x, -0) ? 0 : x).toFixed(6);
  for (let i = 0; i < V; i++) lines.push(`v ${f6(mesh.vertices[i * 3]!)} ${f6(mesh.vertices[i * 3 + 1]!)} ${f6(mesh.vertices[i * 3 + 2]!)}`);
  for (let i = 0; i < U; i++) lines.push(`vt ${f6(mesh.uv[i * 2]!)} ${f6(1 - mesh.uv[i * 2 + 1]!)}`);
  const hasUv = mesh.uvTriangles.length === mesh.triangles.length && U > 0;
  for (let t = 0; t < T; t++) {
    const c = [0, 1, 2].map((k) => `${mesh.triangles[t * 3 + k]! + 1}${hasUv ? `/${mesh.uvTriangles[t * 3 + k]! + 1}` : ''}`);
    lines.push(`f ${c.join(' ')}`);
  }
  lines.push('');
  return new TextEncoder().encode(lines.join('\n'));
}
