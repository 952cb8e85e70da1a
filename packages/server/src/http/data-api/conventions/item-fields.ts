import type { FilterSpec } from './list-spec.js';
import { htmlParagraphs } from '../../shared/html.js';
import type { PresentContext } from './present.js';
import { apiPath } from './urls.js';

/** What every catalog item stores to describe itself. */
export interface DescribedRow {
  description: string;
  group_id: number;
  license_id: number | null;
  categories: string[];
  tags: string[];
}

/** The descriptive fields layers, tables, sets and documents share, in one shape. */
export function presentDescription(row: DescribedRow, ctx: PresentContext) {
  return {
    description: row.description,
    description_html: htmlParagraphs(row.description),
    group: { id: row.group_id, url: ctx.urlFor(apiPath('groups', row.group_id)) },
    license: row.license_id === null ? null : { id: row.license_id, url: ctx.urlFor(apiPath('licenses', row.license_id)) },
    categories: row.categories,
    tags: row.tags,
  };
}

const ordered = ['gt', 'gte', 'lt', 'lte'] as const;

/** The filters every list of catalog items offers. */
export const itemFilters: Readonly<Record<string, FilterSpec>> = {
  id: { type: 'integer', description: 'Id' },
  title: { type: 'string', lookups: ['iexact', 'icontains', 'startswith'], description: 'Title' },
  name: { type: 'string', lookups: ['iexact', 'icontains', 'startswith'], description: 'Title (the old client calls it name)' },
  group: { type: 'integer', description: 'Owning group id' },
  tag: { type: 'string', description: 'Has this tag' },
  category: { type: 'string', description: 'Has this category' },
  created_at: { type: 'datetime', lookups: ordered, description: 'When it was created' },
  updated_at: { type: 'datetime', lookups: ordered, description: 'When it (or the version shown) last changed' },
};

/** The old client's `name` of a catalog item (a filter and an ordering) is its title. */
export const itemFieldNames: Readonly<Record<string, string>> = { name: 'title' };

/** Versioned items (layers, tables, sets) also filter on when the version shown was published. */
export const versionedItemFilters: Readonly<Record<string, FilterSpec>> = {
  ...itemFilters,
  published_at: { type: 'datetime', lookups: [...ordered, 'isnull'], description: 'When this version was published' },
};
