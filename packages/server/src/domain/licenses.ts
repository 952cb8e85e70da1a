import type { License } from './model/licenses.js';
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, forbidden, invalidInput, notFound } from './errors.js';
import type { ListQuery, ListResult } from './list-query.js';

/** License types, as Koordinates names them. CC0 and the Public Domain Mark are `public-domain`. */
export const licenseTypes = ['cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc', 'cc-by-nc-sa', 'cc-by-nc-nd', 'public-domain', 'custom'] as const;
export type LicenseType = (typeof licenseTypes)[number];

/** The path segment that names international (unported) licenses, stored with jurisdiction `''`. */
export const internationalJurisdiction = 'international';

export type LicenseAction = 'view' | 'create';

/** Checks a license an item is given exists (null clears it; undefined leaves it). */
export async function assertLicenseExists(ctx: DomainContext, license: number | null | undefined, location = 'license'): Promise<void> {
  // A workgroup's own licences are the Metadata API's; items of the Data API take the site's.
  if (license != null && (await ctx.store.licenses.findById(license))?.group_id !== null) throw invalidInput(location, `no license has id ${license}`);
}

/** Licenses are public information: anyone, even anonymous, may read them; site admins add custom ones. */
export function canLicense(actor: Actor, action: LicenseAction): boolean {
  return action === 'view' || isSiteAdmin(actor);
}

/**
 * `international` (and an empty segment, which the Koordinates client sends for "no
 * jurisdiction": `/licenses/cc-by//`) both mean the international license.
 */
export function storedJurisdiction(segment: string): string {
  const lower = segment.toLowerCase();
  return lower === internationalJurisdiction ? '' : lower;
}

/** `"Open Data Licence (Ōtaki)"` → `open-data-licence-otaki`: lower case, accents dropped, runs of other characters → `-`. */
export function licenseSlug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .slice(0, 100)
    .replace(/^-+|-+$/g, '');
}

export async function listLicenses(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<License>> {
  if (!canLicense(actor, 'view')) return { items: [], total: 0 };
  return ctx.store.licenses.list(query);
}

export async function getLicense(ctx: DomainContext, actor: Actor, id: number): Promise<License> {
  const license = await ctx.store.licenses.findById(id);
  // A workgroup's own licences are the Metadata API's, seen by its members there.
  if (!license || license.group_id !== null || !canLicense(actor, 'view')) throw notFound(`License ${id}`);
  return license;
}

/** A license by its slug (`cc-by`, `cc0`, or a custom license's) and jurisdiction segment. */
export async function getLicenseBySlug(ctx: DomainContext, actor: Actor, slug: string, jurisdiction: string): Promise<License> {
  const license = await ctx.store.licenses.findBySlug(slug.toLowerCase(), storedJurisdiction(jurisdiction));
  if (!license || !canLicense(actor, 'view')) {
    throw notFound(`License ${slug} (${jurisdiction || internationalJurisdiction})`);
  }
  return license;
}

/** Adds a custom license (site admins). Its slug comes from the title and must be free. */
export async function createLicense(
  ctx: DomainContext,
  actor: Actor,
  input: { title: string; text: string; url?: string | null; version?: string },
): Promise<License> {
  if (!canLicense(actor, 'create')) throw forbidden('Only site admins (admin user and admin scope) can add licenses.');
  const slug = licenseSlug(input.title);
  if (!slug) throw invalidInput('title', 'needs at least one letter or digit');
  if (await ctx.store.licenses.findBySlug(slug, '')) {
    throw conflict(`A license with the slug "${slug}" exists already: choose another title.`);
  }
  return ctx.store.licenses.create({
    slug,
    jurisdiction: '',
    title: input.title,
    type: 'custom',
    version: input.version ?? '',
    url: input.url ?? null,
    text: input.text,
    is_custom: true,
    created_at: timestamp(ctx),
  });
}
