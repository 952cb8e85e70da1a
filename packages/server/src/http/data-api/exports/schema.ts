import { Type, type Static } from 'typebox';
import { idSchema } from '../conventions/ids.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { nameText } from '../conventions/item-schema.js';

export const exportsListSpec: ListSpec = {
  name: 'exports',
  description: 'Your exports (site admins: everyone\'s), newest first.',
  filters: {
    state: { type: 'enum', values: ['processing', 'complete', 'error', 'cancelled', 'gone'], description: 'Export state' },
    name: { type: 'string', lookups: ['icontains'], description: 'Export name' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When the export was created' },
    owner: { type: 'integer', description: 'User id of the owner (useful to site admins)' },
  },
  orderings: ['id', 'name', 'created_at', 'state'],
  defaultOrdering: ['-created_at'],
  expansions: ['list'],
};

export const cropLayersListSpec: ListSpec = {
  name: 'crop layers',
  description: 'Layers of named polygons that exports can be cropped to.',
  filters: { name: { type: 'string', lookups: ['icontains'], description: 'Crop layer name' } },
  orderings: ['id', 'name'],
  defaultOrdering: ['name'],
  expansions: ['list'],
};

export const cropFeaturesListSpec: ListSpec = {
  name: 'crop features',
  description: 'The polygons of a crop layer; use a feature URL as an export extent.',
  filters: { name: { type: 'string', lookups: ['icontains'], description: 'Feature name' } },
  orderings: ['id', 'name'],
  defaultOrdering: ['name'],
  expansions: ['list'],
};

const ExportItemEntry = Type.Object(
  {
    item: Type.String({ minLength: 1, maxLength: 2000, description: 'A layer or table URL (its published version), or a version URL' }),
    color: Type.Optional(Type.Union([Type.String({ maxLength: 20, description: '#RRGGBB, for formats with styles (KML)' }), Type.Null()])),
    tile_id: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const ExportBody = Type.Object(
  {
    crs: Type.Optional(Type.Union([Type.String({ maxLength: 100, description: 'EPSG:XXXX; not needed for KML' }), Type.Null()])),
    formats: Type.Record(Type.String({ maxLength: 50 }), Type.String({ maxLength: 200 }), {
      maxProperties: 10,
      description: 'A mimetype for each data kind among the items, e.g. {"vector": "application/x-ogc-gpkg"}',
    }),
    items: Type.Array(ExportItemEntry, { maxItems: 100 }),
    name: Type.Optional(Type.Union([nameText({ maxLength: 200 }), Type.Null()])),
    extent: Type.Optional(
      Type.Union([
        Type.Object({}, { additionalProperties: true, description: 'A GeoJSON Polygon or MultiPolygon in EPSG:4326, at most 1,000 vertices' }),
        Type.String({ maxLength: 2000, description: 'A crop feature URL' }),
        Type.Null(),
      ]),
    ),
    options: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 20 })),
  },
  { additionalProperties: false },
);
export type ExportBody = Static<typeof ExportBody>;

export const CropLayerBody = Type.Object(
  {
    name: nameText({ minLength: 1, maxLength: 200 }),
    source_layer: Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), idSchema()], { description: 'A published polygon layer, by URL or id' }),
    name_field: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type CropLayerBody = Static<typeof CropLayerBody>;
