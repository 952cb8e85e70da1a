/**
 * Builds an API path with every interpolated value encoded as one segment, so an id can't
 * reach another route: `path\`layers/${id}/versions/\``. A value of `.` or `..` is refused.
 */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((out, text, i) => {
    if (i === 0) return text;
    const value = String(values[i - 1]);
    if (value === '.' || value === '..' || value === '') throw new TypeError(`"${value}" is not a valid path segment`);
    return out + encodeURIComponent(value) + text;
  }, '');
}

/** The `rel` → URL pairs of a `Link` header. */
export function parseLinks(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part);
    if (match) links[match[2]!] = match[1]!;
  }
  return links;
}

/** The total of an `X-Resource-Range: 1-20/345` header. */
export function resourceTotal(header: string | null): number | null {
  const match = /\/(\d+)\s*$/.exec(header ?? '');
  return match ? Number(match[1]) : null;
}
