/** A data or service format records name (`format`), as the Metadata API lists them. */
export type FormatType = 'dataset' | 'service' | 'resource';

export interface Format {
  id: number;
  /** Stable public id: 32 lowercase hex characters. */
  uid: string;
  /** Short and unique, lower case: `shp`, `gpkg`, `wms`. */
  code: string;
  name: string;
  type: FormatType;
  /** Other names a record's format may be given. */
  aliases: string[];
  versions: string[];
  created_at: string;
  updated_at: string;
}

export type NewFormat = Omit<Format, 'id' | 'uid'>;
export type FormatPatch = Partial<Pick<Format, 'name' | 'type' | 'aliases' | 'versions'>> & { updated_at: string };
