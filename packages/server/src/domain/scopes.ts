/**
 * Token scopes: the Koordinates names, plus `exports:read`, `exports:write` and `admin`.
 * A scope grants access to a kind of route; the user's own permissions still apply.
 */
export const allScopes = [
  'query',
  'tiles',
  'catalog',
  'wxs:wfs',
  'wxs:wms',
  'wxs:wcs',
  'documents:read',
  'documents:write',
  'layers:read',
  'layers:write',
  'sets:read',
  'sets:write',
  'sources:read',
  'sources:write',
  'users:read',
  'users:write',
  'tokens:read',
  'tokens:write',
  'notifications:read',
  'exports:read',
  'exports:write',
  'admin',
] as const;

/**
 * The Metadata API's OAuth2 scopes, carried by Bearer tokens (never by `key` tokens): reading
 * and writing records and what they hold, and `admin` for a site admin's staff work.
 */
export const metadataScopes = ['resources:read', 'resources:write', 'admin'] as const;

export type Scope = (typeof allScopes)[number] | (typeof metadataScopes)[number];

const known = new Set<string>(allScopes);

/** A scope a `key` token may hold. */
export function isScope(value: string): value is Scope {
  return known.has(value);
}

/** Splits a space-separated scope string; returns the unknown names separately. */
export function parseScopes(text: string): { scopes: Scope[]; unknown: string[] } {
  const scopes: Scope[] = [];
  const unknown: string[] = [];
  for (const name of text.split(/\s+/).filter(Boolean)) {
    if (isScope(name)) {
      if (!scopes.includes(name)) scopes.push(name);
    } else unknown.push(name);
  }
  return { scopes, unknown };
}

export function formatScopes(scopes: readonly Scope[]): string {
  return scopes.join(' ');
}
