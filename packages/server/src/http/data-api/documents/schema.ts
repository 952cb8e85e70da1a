import { Type, type Static } from 'typebox';
import type { ListSpec } from '../../../domain/list-query.js';
import { itemFilters } from '../../common/item-fields.js';

export const documentsListSpec: ListSpec = {
  name: 'documents',
  description: 'Documents the caller may see, newest first.',
  filters: {
    ...itemFilters,
    media_type: { type: 'string', lookups: ['startswith'], description: 'Media type, e.g. application/pdf; image/ with .startswith' },
  },
  orderings: ['id', 'name', 'title', 'created_at', 'updated_at'],
  defaultOrdering: ['-created_at'],
  expansions: ['list'],
};

const ref = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 2000 }), Type.Object({ id: Type.Integer({ minimum: 1 }) })]);
const strings = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 });

const documentFields = {
  title: Type.Optional(Type.String({ maxLength: 500 })),
  name: Type.Optional(Type.String({ maxLength: 500 })),
  description: Type.Optional(Type.String({ maxLength: 100_000 })),
  tags: Type.Optional(strings),
  categories: Type.Optional(strings),
  license: Type.Optional(Type.Union([ref, Type.Null()])),
};

/** A title an edit sets: not blank (an upload without one is titled by its file name). */
const title = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });

/** The `document` part of an upload. */
export const DocumentPart = Type.Object(
  { ...documentFields, group: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Object({ id: Type.Integer({ minimum: 1 }) })])) },
  { additionalProperties: false },
);
export type DocumentPart = Static<typeof DocumentPart>;

export const DocumentUpdateBody = Type.Object(
  { ...documentFields, title: Type.Optional(title), name: Type.Optional(title) },
  { additionalProperties: false },
);
export type DocumentUpdateBody = Static<typeof DocumentUpdateBody>;
