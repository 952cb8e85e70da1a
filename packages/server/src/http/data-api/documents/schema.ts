import { Type, type Static } from 'typebox';
import type { ListSpec } from '../conventions/list-spec.js';
import { itemFieldNames, itemFilters } from '../conventions/item-fields.js';
import { describedFields, groupRef, nameText } from '../conventions/item-schema.js';

export const documentsListSpec: ListSpec = {
  name: 'documents',
  description: 'Documents the caller may see, newest first.',
  filters: {
    ...itemFilters,
    media_type: { type: 'string', lookups: ['startswith'], description: 'Media type, e.g. application/pdf; image/ with .startswith' },
  },
  orderings: ['id', 'name', 'title', 'created_at', 'updated_at'],
  defaultOrdering: ['-created_at'],
  fields: itemFieldNames,
  expansions: ['list'],
};

/** A title an edit sets: not blank (an upload without one is titled by its file name). */
const title = nameText({ minLength: 1, maxLength: 500, pattern: '\\S' });

/** The `document` part of an upload. */
export const DocumentPart = Type.Object(
  { ...describedFields, group: Type.Optional(groupRef) },
  { additionalProperties: false },
);
export type DocumentPart = Static<typeof DocumentPart>;

export const DocumentUpdateBody = Type.Object(
  { ...describedFields, title: Type.Optional(title), name: Type.Optional(title) },
  { additionalProperties: false },
);
export type DocumentUpdateBody = Static<typeof DocumentUpdateBody>;
