/** The Data API's path prefix. `/services/api/v1.x/` is rewritten to it on the way in. */
export const apiRoot = '/services/api/v1';

const versionedRoot = /^\/services\/api\/v1\.\d+\//;

/** Koordinates responses may carry /services/api/v1.x/ URLs; they name the same routes. */
export function rewriteVersionedUrl(url: string): string {
  return url.replace(versionedRoot, `${apiRoot}/`);
}

/** `/services/api/v1/users/4/` from `apiPath('users', 4)`; ids are encoded, so `..` can't escape. */
export function apiPath(...segments: Array<string | number>): string {
  return `${apiRoot}/${segments.map((s) => encodeURIComponent(String(s))).join('/')}/`;
}
