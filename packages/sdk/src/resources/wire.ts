/**
 * Small shapes that recur across the server's answers, declared once for every model to use.
 */

/** A date and time as the server writes it: ISO 8601 in UTC, e.g. `2024-05-01T09:30:00.000Z`. */
export type Timestamp = string;

/** Another object on the server (a user, group, licence, ...): its id and its API URL. */
export type Ref = { id: number; url: string };

/** A bounding box in EPSG:4326: `[minx, miny, maxx, maxy]` (longitude, latitude). */
export type Bbox = [number, number, number, number];

/** A GeoJSON Polygon in EPSG:4326 (longitude, latitude); as an `extent`, a bounding box's five corners. */
export type PolygonGeometry = { type: 'Polygon'; coordinates: number[][][] };

/** A column of a layer, table or datasource: its name and data type. */
export type FieldInfo = { name: string; type: string };

/** What one change brought: features for an import, datasources for a scan. */
export type ChangeCounts = { added: number; updated: number; deleted: number };

/** The URLs of a version's metadata as XML: as uploaded (`native`), ISO 19139 (`iso`) and Dublin Core (`dc`). */
/** A version's metadata documents, and `record`: the item's record in the Metadata API. */
export type MetadataLinks = { native: string; iso: string; dc: string; record: string };
