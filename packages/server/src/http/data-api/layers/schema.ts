import { Type, type Static } from 'typebox';
import { idSchema } from '../conventions/ids.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { itemFieldNames, versionedItemFilters } from '../conventions/item-fields.js';
import { describedFields, groupRef, ref, strings, versionsListSpec } from '../conventions/item-schema.js';

export function layersListSpec(name: string): ListSpec {
  return {
    name,
    description: `${name} the caller may see, each as of its published version (drafts/: as of its draft).`,
    filters: {
      ...versionedItemFilters,
      kind: { type: 'enum', values: ['vector', 'table'], description: 'Data kind' },
      type: { type: 'enum', values: ['layer', 'table'], description: 'Layer or table' },
      'version.status': { type: 'enum', values: ['queued', 'importing', 'ok', 'error'], description: 'Import status of the version' },
    },
    orderings: ['id', 'name', 'title', 'created_at', 'updated_at', 'published_at'],
    defaultOrdering: ['-created_at'],
    fields: { ...itemFieldNames, 'version.status': 'version_status' },
    expansions: ['list'],
  };
}

export const layerVersionsListSpec = versionsListSpec('layer or table', {
  status: { type: 'enum', values: ['queued', 'importing', 'ok', 'error'], description: 'Import status' },
});

export const LayerData = Type.Object(
  {
    datasources: Type.Array(ref, { minItems: 1, maxItems: 1 }),
    crs: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z]+:\\w+$' }), Type.Null()])),
    primary_key_fields: Type.Optional(strings),
  },
  { additionalProperties: false },
);

export const LayerCreateBody = Type.Object(
  {
    group: Type.Optional(groupRef),
    type: Type.Optional(Type.Union([Type.Literal('layer'), Type.Literal('table')])),
    kind: Type.Optional(Type.Union([Type.Literal('vector'), Type.Literal('table')])),
    data: LayerData,
    ...describedFields,
  },
  { additionalProperties: false },
);
export type LayerCreateBody = Static<typeof LayerCreateBody>;

export const VersionUpdateBody = Type.Object(
  { ...describedFields, data: Type.Optional(LayerData) },
  { additionalProperties: false },
);
export type VersionUpdateBody = Static<typeof VersionUpdateBody>;

export const VersionParams = Type.Object({ id: idSchema(), versionId: idSchema() });
