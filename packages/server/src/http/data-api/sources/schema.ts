import { Type, type Static } from 'typebox';
import { idSchema } from '../conventions/ids.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { descriptionText, nameText } from '../conventions/item-schema.js';

export const sourcesListSpec: ListSpec = {
  name: 'sources',
  description: 'Upload sources the caller may see: those of their groups (site admins: all).',
  filters: {
    id: { type: 'integer', description: 'Source id' },
    title: { type: 'string', lookups: ['icontains', 'startswith'], description: 'Title' },
    type: { type: 'enum', values: ['upload'], description: 'Source type' },
    group: { type: 'integer', description: 'Owning group id' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When it was created' },
    last_scanned_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte', 'isnull'], description: 'When it was last scanned' },
  },
  orderings: ['id', 'title', 'created_at', 'last_scanned_at'],
  defaultOrdering: ['-created_at'],
  expansions: ['list'],
};

export const scansListSpec: ListSpec = {
  name: 'scans',
  description: "A source's scans, newest first.",
  filters: {
    status: { type: 'enum', values: ['queued', 'scanning', 'completed', 'error', 'cancelled'], description: 'Scan status' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When the scan was started' },
  },
  orderings: ['id', 'created_at'],
  defaultOrdering: ['-id'],
  expansions: ['list'],
};

export const datasourcesListSpec: ListSpec = {
  name: 'datasources',
  description: 'The datasets (one per layer of each file) the last scan found in the source.',
  filters: {
    id: { type: 'integer', description: 'Datasource id' },
    title: { type: 'string', lookups: ['icontains'], description: 'Title' },
    data_type: { type: 'enum', values: ['vector', 'table'], description: 'vector or table' },
    format: { type: 'string', description: 'Format, e.g. GeoPackage' },
    geometry_type: { type: 'string', lookups: ['isnull'], description: 'Geometry type, e.g. Point' },
    crs: { type: 'string', lookups: ['isnull'], description: 'CRS, e.g. EPSG:2193' },
    upload_path: { type: 'string', lookups: ['icontains', 'startswith'], description: 'Path of the file in the upload' },
  },
  orderings: ['id', 'title', 'upload_path'],
  defaultOrdering: ['upload_path', 'id'],
  expansions: ['list'],
};

/** The JSON of the multipart `source` part. */
export const SourcePart = Type.Object(
  {
    title: nameText({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(descriptionText({ maxLength: 10_000 })),
    group: Type.Optional(idSchema()),
    type: Type.Optional(Type.Literal('upload')),
    // The Python client sends these with their defaults; they carry nothing for upload sources.
    options: Type.Optional(Type.Object({}, { additionalProperties: false })),
    scan_schedule: Type.Optional(Type.Null()),
    /** Mapshelf's own: keep the files even if the first scan finds nothing readable in them. */
    keep_unreadable: Type.Optional(
      Type.Boolean({ description: 'Keep the uploaded files when the scan finds no readable dataset in them; by default they are removed. Default false.' }),
    ),
  },
  { additionalProperties: false },
);
export type SourcePart = Static<typeof SourcePart>;

export const ScanParams = Type.Object({ id: idSchema(), scanId: idSchema() });
export const DatasourceParams = Type.Object({ id: idSchema(), datasourceId: idSchema() });
