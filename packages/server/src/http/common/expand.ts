/**
 * Parses the `Expand` header (`list`, or `a,b`) into a set of names. Unknown names are for the
 * caller to ignore. The old Python client sends `i,t,e,m,s` for `items`; the joined letters are
 * added too, so that request works.
 */
export function parseExpand(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const expanded = new Set(names);
  if (names.length > 1 && names.every((n) => n.length === 1)) expanded.add(names.join(''));
  return expanded;
}
