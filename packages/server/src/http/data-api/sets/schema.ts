import { Type, type Static } from 'typebox';
import type { ListSpec } from '../../../domain/list-query.js';
import { versionedItemFilters } from '../../common/item-fields.js';
import { maxSetItems } from '../../../domain/sets.js';

export function setsListSpec(name: string): ListSpec {
  return {
    name,
    description: `${name} the caller may see, each as of its published version (drafts/: as of its draft).`,
    filters: versionedItemFilters,
    orderings: ['id', 'name', 'title', 'created_at', 'updated_at', 'published_at'],
    defaultOrdering: ['-created_at'],
    expansions: ['list'],
  };
}

export const setVersionsListSpec: ListSpec = {
  name: 'set versions',
  description: 'All versions of one set, oldest first.',
  filters: {
    published_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte', 'isnull'], description: 'When it was published' },
  },
  orderings: ['id', 'number', 'created_at', 'published_at'],
  defaultOrdering: ['number'],
  expansions: ['list'],
};

const ref = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 2000 }), Type.Object({ id: Type.Integer({ minimum: 1 }) })]);
const text = Type.String({ maxLength: 500 });
const strings = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 });
/** An item is a layer, table or document URL, or an object carrying one (as the client's models serialize). */
const item = Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }) })]);

const setFields = {
  title: Type.Optional(text),
  name: Type.Optional(text),
  description: Type.Optional(Type.String({ maxLength: 100_000 })),
  tags: Type.Optional(strings),
  categories: Type.Optional(strings),
  license: Type.Optional(Type.Union([ref, Type.Null()])),
  items: Type.Optional(Type.Array(item, { maxItems: maxSetItems })),
  settings: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 })),
};

export const SetCreateBody = Type.Object(
  { ...setFields, group: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Object({ id: Type.Integer({ minimum: 1 }) })])) },
  { additionalProperties: false },
);
export type SetCreateBody = Static<typeof SetCreateBody>;

export const SetUpdateBody = Type.Object(setFields, { additionalProperties: false });
export type SetUpdateBody = Static<typeof SetUpdateBody>;

export const SetVersionParams = Type.Object({ id: Type.Integer({ minimum: 1 }), versionId: Type.Integer({ minimum: 1 }) });
