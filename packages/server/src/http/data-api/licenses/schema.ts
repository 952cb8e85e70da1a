import { Type, type Static } from 'typebox';
import { licenseTypes } from '../../../domain/licenses.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { descriptionText, httpUrl, nameText } from '../conventions/item-schema.js';

export const licensesListSpec: ListSpec = {
  name: 'licenses',
  description:
    'Licenses that can be applied to layers, tables, sets and documents: the Creative Commons 4.0 set, CC0, the Public ' +
    'Domain Mark, and custom licenses added by site admins. Readable without a token.',
  filters: {
    type: { type: 'enum', values: licenseTypes, description: 'License type' },
    title: { type: 'string', lookups: ['iexact', 'icontains', 'startswith'], description: 'Title' },
    jurisdiction: { type: 'string', description: "Jurisdiction code such as nz; empty for international licenses" },
    version: { type: 'string', description: 'License version, e.g. 4.0' },
    is_custom: { type: 'boolean', description: 'Added by a site admin rather than built in' },
  },
  orderings: ['id', 'title', 'type'],
  defaultOrdering: ['title'],
  expansions: ['list'],
};

/** `/licenses/{slug}/{jurisdiction}/`; the jurisdiction is `international` (or empty) for unported licenses. */
export const LicenseSlugParams = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: 100, description: 'License slug, e.g. cc-by-sa, cc0' }),
  jurisdiction: Type.String({ maxLength: 32, description: 'Jurisdiction code such as nz, or international' }),
});

export const LicenseCreateBody = Type.Object(
  {
    title: nameText({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    text: descriptionText({ minLength: 1, maxLength: 100_000, pattern: '\\S', description: 'The license terms, as plain text' }),
    url: Type.Optional(Type.Union([httpUrl({ maxLength: 2000 }), Type.Null()], { description: 'Where the license is published' })),
    version: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type LicenseCreateBody = Static<typeof LicenseCreateBody>;
