import { Type } from 'typebox';
import { idSchema } from './ids.js';
import type { ListSpec } from './list-spec.js';
import { httpUrlKeyword, plainTextKeyword } from '../../shared/validation.js';

type StringOptions = Parameters<typeof Type.String>[0];

/**
 * Every human-readable name or title a user gives (items, groups, licenses, tokens, crop
 * layers, people's names): one line of text without control characters (NUL included) or
 * bidirectional overrides, which could make it display as something else.
 */
export function nameText(options: StringOptions = {}) {
  return Type.String({ maxLength: 500, ...options, [plainTextKeyword]: 'line' });
}

/** A description: like `nameText`, but tabs and line breaks are allowed. */
export function descriptionText(options: StringOptions = {}) {
  return Type.String({ maxLength: 100_000, ...options, [plainTextKeyword]: 'multiline' });
}

/** A URL a user gives (a license's, ...): absolute, and `http:` or `https:` only (no `javascript:`). */
export function httpUrl(options: StringOptions = {}) {
  return Type.String({ maxLength: 2000, format: 'uri', ...options, [httpUrlKeyword]: true });
}

/** A related object as clients send it: an id, a URL, or `{id}`. */
export const ref = Type.Union([idSchema(), Type.String({ minLength: 1, maxLength: 2000 }), Type.Object({ id: idSchema() })]);
export const shortText = nameText({ maxLength: 500 });
export const strings = Type.Array(nameText({ minLength: 1, maxLength: 200 }), { maxItems: 100 });
/** The owning group of a new item: its id, or `{id}`. */
export const groupRef = Type.Union([idSchema(), Type.Object({ id: idSchema() })]);

/** What describes every catalog item in a request body. `name` is the old client's `title`. */
export const describedFields = {
  title: Type.Optional(shortText),
  name: Type.Optional(shortText),
  description: Type.Optional(descriptionText({ maxLength: 100_000 })),
  tags: Type.Optional(strings),
  categories: Type.Optional(strings),
  license: Type.Optional(Type.Union([ref, Type.Null()])),
};

/** The versions list of one versioned item (layer, table or set), with any filters of its own. */
export function versionsListSpec(what: string, filters: ListSpec['filters'] = {}): ListSpec {
  return {
    name: `${what} versions`,
    description: `All versions of one ${what} you may see (published ones unless you may edit it), oldest first.`,
    filters: {
      ...filters,
      published_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte', 'isnull'], description: 'When it was published' },
    },
    orderings: ['id', 'number', 'created_at', 'published_at'],
    defaultOrdering: ['number'],
    expansions: ['list'],
  };
}
