import { invalidParameter } from '../../domain/errors.js';

/**
 * Koordinates clients refer to related objects by id, by `{id}` or by URL; this turns any of
 * those into the id. `segment` is the path segment before the id in a URL (`datasources`).
 */
export function idFromRef(ref: number | string | { id: number }, segment: string, location: string): number {
  if (typeof ref === 'number') return ref;
  if (typeof ref === 'object') return ref.id;
  const match = new RegExp(`/${segment}/(\\d+)/?$`).exec(ref.split('?')[0]!);
  if (!match) throw invalidParameter(location, `expected an id or a ${segment} URL, not "${ref}"`);
  return Number(match[1]);
}
