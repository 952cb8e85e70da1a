import { Type, type Static } from 'typebox';
import type { ListSpec } from '../../../domain/list-query.js';
import { versionedItemFilters } from '../../common/item-fields.js';

export function layersListSpec(name: string): ListSpec {
  return {
    name,
    description: `${name} the caller may see, each as of its published version (drafts/: as of its draft).`,
    filters: {
      ...versionedItemFilters,
      kind: { type: 'enum', values: ['vector', 'table'], description: 'Data kind' },
      'version.status': { type: 'enum', values: ['queued', 'importing', 'ok', 'error'], description: 'Import status of the version' },
    },
    orderings: ['id', 'name', 'title', 'created_at', 'updated_at', 'published_at'],
    defaultOrdering: ['-created_at'],
    expansions: ['list'],
  };
}

export const versionsListSpec: ListSpec = {
  name: 'versions',
  description: 'All versions of one layer or table, oldest first.',
  filters: {
    status: { type: 'enum', values: ['queued', 'importing', 'ok', 'error'], description: 'Import status' },
    published_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte', 'isnull'], description: 'When it was published' },
  },
  orderings: ['id', 'number', 'created_at', 'published_at'],
  defaultOrdering: ['number'],
  expansions: ['list'],
};

const ref = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 2000 }), Type.Object({ id: Type.Integer({ minimum: 1 }) })]);
const text = Type.String({ maxLength: 500 });
const strings = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 });

export const LayerData = Type.Object(
  {
    datasources: Type.Array(ref, { minItems: 1, maxItems: 1 }),
    crs: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z]+:\\w+$' }), Type.Null()])),
    primary_key_fields: Type.Optional(strings),
  },
  { additionalProperties: false },
);

const metadataFields = {
  description: Type.Optional(Type.String({ maxLength: 100_000 })),
  tags: Type.Optional(strings),
  categories: Type.Optional(strings),
  license: Type.Optional(Type.Union([ref, Type.Null()])),
};

export const LayerCreateBody = Type.Object(
  {
    title: Type.Optional(text),
    name: Type.Optional(text),
    group: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Object({ id: Type.Integer({ minimum: 1 }) })])),
    type: Type.Optional(Type.Union([Type.Literal('layer'), Type.Literal('table')])),
    kind: Type.Optional(Type.Union([Type.Literal('vector'), Type.Literal('table')])),
    data: LayerData,
    ...metadataFields,
  },
  { additionalProperties: false },
);
export type LayerCreateBody = Static<typeof LayerCreateBody>;

export const VersionUpdateBody = Type.Object(
  { title: Type.Optional(text), name: Type.Optional(text), data: Type.Optional(LayerData), ...metadataFields },
  { additionalProperties: false },
);
export type VersionUpdateBody = Static<typeof VersionUpdateBody>;

export const VersionParams = Type.Object({ id: Type.Integer({ minimum: 1 }), versionId: Type.Integer({ minimum: 1 }) });
