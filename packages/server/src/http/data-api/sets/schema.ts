import { Type, type Static } from 'typebox';
import { idSchema } from '../conventions/ids.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { itemFieldNames, versionedItemFilters } from '../conventions/item-fields.js';
import { describedFields, groupRef, versionsListSpec } from '../conventions/item-schema.js';
import { maxSetItems } from '../../../domain/sets.js';

export function setsListSpec(name: string): ListSpec {
  return {
    name,
    description: `${name} the caller may see, each as of its published version (drafts/: as of its draft).`,
    filters: versionedItemFilters,
    orderings: ['id', 'name', 'title', 'created_at', 'updated_at', 'published_at'],
    defaultOrdering: ['-created_at'],
    fields: itemFieldNames,
    expansions: ['list'],
  };
}

export const setVersionsListSpec = versionsListSpec('set');

/** An item is a layer, table or document URL, or an object carrying one (as the client's models serialize). */
const item = Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }) })]);

const setFields = {
  ...describedFields,
  items: Type.Optional(Type.Array(item, { maxItems: maxSetItems })),
  settings: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 })),
};

export const SetCreateBody = Type.Object(
  { ...setFields, group: Type.Optional(groupRef) },
  { additionalProperties: false },
);
export type SetCreateBody = Static<typeof SetCreateBody>;

export const SetUpdateBody = Type.Object(setFields, { additionalProperties: false });
export type SetUpdateBody = Static<typeof SetUpdateBody>;

export const SetVersionParams = Type.Object({ id: idSchema(), versionId: idSchema() });
