import type { MetadataFormat } from '../metadata/index.js';

/** An uploaded metadata document of a layer version. */
export interface MetadataDocument {
  version_id: number;
  format: MetadataFormat;
  xml: string;
  created_at: string;
}

/** An uploaded metadata document of a set version. */
export interface SetMetadataDocument {
  set_version_id: number;
  format: MetadataFormat;
  xml: string;
  created_at: string;
}
