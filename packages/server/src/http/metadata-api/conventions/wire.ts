/**
 * The Metadata API's wire forms, as the Isogeo SDK parses them (`spec/metadata-wire.md`).
 */

/**
 * `2019-05-17T13:01:08.559000+00:00`: six fractional digits and the literal `+00:00`. The SDK
 * picks a parse format by the string's length, so JavaScript's `…08.559Z` would lose its time.
 */
export function wireTimestamp(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 23)}000+00:00`;
}

/** Mapshelf's membership roles as Isogeo's: a viewer is a reader. */
export const wireRoles = { admin: 'admin', editor: 'editor', viewer: 'reader' } as const satisfies Record<string, string>;

export function wireRole(role: string): string {
  return Object.hasOwn(wireRoles, role) ? wireRoles[role as keyof typeof wireRoles] : role;
}
