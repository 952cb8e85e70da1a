import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where files live in the data folder. The database stores these relative paths, so a data
 * folder can be moved as a whole.
 */
export const dataPaths = {
  /** Uploads in progress and other scratch files; emptied at start. */
  tmp: 'tmp',
  sourceFolder: (sourceId: number) => join('sources', String(sourceId)),
  layerFolder: (layerId: number) => join('layers', String(layerId)),
  versionFile: (layerId: number, versionNumber: number) => join('layers', String(layerId), `v${versionNumber}.gpkg`),
  documentFolder: (documentId: number) => join('documents', String(documentId)),
  exportFolder: (exportId: number) => join('exports', String(exportId)),
  exportFile: (exportId: number, name: string) => join('exports', String(exportId), `${name}.zip`),
};

/** A folder of uploaded files in the scratch area, for a use case to move into place. */
export interface StagedUpload {
  /** Absolute path. */
  dir: string;
}

export function absolute(dataDir: string, relative: string): string {
  return join(dataDir, relative);
}

/**
 * `text` (a message from GDAL, say) without the data folder's absolute path: a path under a
 * source's folder becomes its upload path, one in a scratch folder its path there, any other
 * its path in the data folder. Messages users see name no server path.
 */
export function withoutServerPaths(text: string, dataDir: string): string {
  if (!text.includes(dataDir)) return text;
  const folder = dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`${folder}/(?:tmp/[^/\\s'"\`]+/|sources/\\d+/)?`, 'g'), '');
}

/** Removes what uploads and jobs left in the scratch folder when the last process stopped. */
export async function clearScratch(dataDir: string): Promise<void> {
  await rm(join(dataDir, dataPaths.tmp), { recursive: true, force: true });
}
