/** Case- and accent-insensitive match of every search word against a name. */
function normalise(s: string): string {
  return s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

export function matchesQuery(name: string, query: string): boolean {
  const words = normalise(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const target = normalise(name);
  return words.every((w) => target.includes(w));
}
