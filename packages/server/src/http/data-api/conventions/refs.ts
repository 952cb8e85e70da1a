import { idInText } from './ids.js';
import { invalidParameter } from '../../../domain/errors.js';
import type { UrlFor } from '../../shared/public-url.js';

/**
 * The path of a URL a client gave for a related object, with its query dropped. Paths and
 * relative URLs are this server's; an absolute URL must be on this server's public origin (and
 * under its path prefix, if it has one): `http://evil.example/services/api/v1/layers/1/` is
 * refused, never read as local layer 1. `urlFor` is the request's (`request.urlFor`).
 */
export function localPath(ref: string, location: string, urlFor: UrlFor): string {
  const base = new URL(urlFor('/'));
  let url: URL;
  try {
    url = new URL(ref, base);
  } catch {
    throw invalidParameter(location, `"${ref}" is not a valid URL`);
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw invalidParameter(location, `"${ref}" is not a URL of this server (${base.origin}${base.pathname}); give an id or one of this server's URLs`);
  }
  return url.pathname;
}

/**
 * Koordinates clients refer to related objects by id, by `{id}` or by URL; this turns any of
 * those into the id. `segment` is the path segment before the id in a URL (`datasources`).
 * `urlFor` is the request's: a URL on another origin is refused (see `localPath`).
 */
export function idFromRef(ref: number | string | { id: number }, segment: string, location: string, urlFor: UrlFor): number {
  if (typeof ref === 'number') return ref;
  if (typeof ref === 'object') return ref.id;
  const path = localPath(ref, location, urlFor);
  const id = idInText(new RegExp(`/${segment}/(\\d+)/?$`).exec(path)?.[1]);
  if (id === null) throw invalidParameter(location, `expected an id or a ${segment} URL, not "${ref}"`);
  return id;
}
