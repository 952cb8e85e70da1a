import { metadataRoot } from '../../shared/face-roots.js';

/** Where the Metadata API lives. The Isogeo SDK keeps any path prefix of its `api_url`. */
export { metadataRoot };

/**
 * The Metadata API's URLs as its routes are written: duplicate slashes collapsed and a trailing
 * slash added. The Isogeo SDK sends `feature-attributes//?_lang=fr`, `{api}//groups/…` and
 * `.xml/`, and routing is server-wide, so this runs as a URL rewrite before any face sees it.
 */
export function normalizeMetadataUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
  if (path !== metadataRoot && !path.startsWith(`${metadataRoot}/`)) return url;
  return (path.endsWith('/') ? path : `${path}/`) + (q < 0 ? '' : url.slice(q));
}
