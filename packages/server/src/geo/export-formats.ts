/** The kinds of data an export names a format for (seed 002); Mapshelf holds vector and table data. */
export const exportKinds = ['vector', 'table', 'raster', 'grid', 'rat'] as const;
export type ExportKind = (typeof exportKinds)[number];

/** One output format: how users ask for it and how GDAL writes it. */
export interface ExportFormat {
  mimetype: string;
  displayName: string;
  /** A short name for file and export names, and for the CLI's `--format`. */
  short: string;
  kinds: readonly ExportKind[];
  driver: string;
  /** Extension of what the driver writes for one item (a folder for File Geodatabase). */
  extension: string;
  layerCreationOptions?: readonly string[];
  /** KML is always EPSG:4326, whatever the request says. */
  fixedCrs?: string;
  /** An item's `color` styles its features. */
  styled?: boolean;
}

/**
 * Every format exports offer, each produced by the GDAL driver named here. Mimetypes follow
 * seed 002 and Koordinates where they name one, and IANA registrations otherwise.
 */
export const exportFormats: readonly ExportFormat[] = [
  { mimetype: 'application/x-ogc-gpkg', displayName: 'GeoPackage', short: 'gpkg', kinds: ['vector', 'table'], driver: 'GPKG', extension: 'gpkg' },
  { mimetype: 'application/x-zipped-shp', displayName: 'Shapefile', short: 'shp', kinds: ['vector'], driver: 'ESRI Shapefile', extension: 'shp', layerCreationOptions: ['ENCODING=UTF-8'] },
  { mimetype: 'text/csv', displayName: 'CSV (text/csv)', short: 'csv', kinds: ['vector', 'table'], driver: 'CSV', extension: 'csv' },
  {
    mimetype: 'application/vnd.google-earth.kml+xml',
    displayName: 'KML',
    short: 'kml',
    kinds: ['vector'],
    driver: 'KML',
    extension: 'kml',
    fixedCrs: 'EPSG:4326',
    styled: true,
  },
  { mimetype: 'application/geo+json', displayName: 'GeoJSON', short: 'geojson', kinds: ['vector'], driver: 'GeoJSON', extension: 'geojson' },
  { mimetype: 'application/flatgeobuf', displayName: 'FlatGeobuf', short: 'fgb', kinds: ['vector'], driver: 'FlatGeobuf', extension: 'fgb' },
  { mimetype: 'application/gml+xml', displayName: 'GML', short: 'gml', kinds: ['vector'], driver: 'GML', extension: 'gml' },
  { mimetype: 'application/x-ogc-mapinfo_file', displayName: 'MapInfo TAB', short: 'tab', kinds: ['vector'], driver: 'MapInfo File', extension: 'tab' },
  { mimetype: 'application/x-ogc-dxf', displayName: 'AutoCAD DXF', short: 'dxf', kinds: ['vector'], driver: 'DXF', extension: 'dxf' },
  { mimetype: 'application/x-ogc-filegdb', displayName: 'Esri File Geodatabase', short: 'gdb', kinds: ['vector'], driver: 'OpenFileGDB', extension: 'gdb' },
  {
    mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    displayName: 'Excel (XLSX)',
    short: 'xlsx',
    kinds: ['table'],
    driver: 'XLSX',
    extension: 'xlsx',
  },
  { mimetype: 'application/vnd.oasis.opendocument.spreadsheet', displayName: 'OpenDocument Spreadsheet (ODS)', short: 'ods', kinds: ['table'], driver: 'ODS', extension: 'ods' },
];

export function findExportFormat(kind: string, mimetype: string): ExportFormat | undefined {
  return exportFormats.find((f) => f.mimetype === mimetype && f.kinds.includes(kind as ExportKind));
}

/** The formats offered for each kind, as `OPTIONS /exports/` lists them. Kinds without data have none. */
export function formatChoices(): Record<ExportKind, Array<{ value: string; display_name: string }>> {
  return Object.fromEntries(
    exportKinds.map((kind) => [kind, exportFormats.filter((f) => f.kinds.includes(kind)).map((f) => ({ value: f.mimetype, display_name: f.displayName }))]),
  ) as Record<ExportKind, Array<{ value: string; display_name: string }>>;
}
