import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where files live in the data folder. The database stores these relative paths, so a data
 * folder can be moved as a whole.
 */
export const dataPaths = {
  /** Uploads in progress and other scratch files. */
  tmp: 'tmp',
  /**
   * One run of a job's scratch files: its own, so processes sharing the data folder never touch
   * another's. `label` says what it is for (`export-12`).
   */
  jobScratch: (label: string, jobId: number, run: number) => join('tmp', `${label}-job${jobId}.${run}`),
  sourceFolder: (sourceId: number) => join('sources', String(sourceId)),
  layerFolder: (layerId: number) => join('layers', String(layerId)),
  versionFile: (layerId: number, versionNumber: number) => join('layers', String(layerId), `v${versionNumber}.gpkg`),
  documentFolder: (documentId: number) => join('documents', String(documentId)),
  /** A record's hosted files, one per link. */
  recordFolder: (recordUid: string) => join('records', recordUid),
  hostedFile: (recordUid: string, linkUid: string) => join('records', recordUid, linkUid),
  exportFolder: (exportId: number) => join('exports', String(exportId)),
  exportFile: (exportId: number, name: string) => join('exports', String(exportId), `${name}.zip`),
};

/** A folder of uploaded files in the scratch area, for a use case to move into place. */
export interface StagedUpload {
  /** Absolute path. */
  dir: string;
}

/**
 * A staged file or folder moved into place inside the store transaction that records it, so that
 * both exist or neither does. PostgreSQL runs a transaction again after a serialization failure
 * (at commit too), each time with new ids and so a new place: each attempt moves it on from
 * where the one before left it, and a failure removes it from wherever it is.
 */
export class StagedMove {
  /** The folder of the item it was last moved into, when that folder holds it (a document's `documents/N/`): a move on or a removal takes it too. */
  private itemFolder: string | undefined;

  constructor(private at: string) {}

  /** Where it is now. */
  get path(): string {
    return this.at;
  }

  /** Moves it to `target`; `itemFolder` is the folder made for this item alone that `target` lies in, if any. */
  async to(target: string, itemFolder?: string): Promise<void> {
    if (target === this.at) return;
    await mkdir(dirname(target), { recursive: true });
    await rename(this.at, target);
    await this.removeItemFolder();
    this.at = target;
    this.itemFolder = itemFolder;
  }

  async remove(): Promise<void> {
    await rm(this.at, { recursive: true, force: true });
    await this.removeItemFolder();
  }

  private async removeItemFolder(): Promise<void> {
    if (this.itemFolder !== undefined) await rm(this.itemFolder, { recursive: true, force: true });
    this.itemFolder = undefined;
  }
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

/** A job run's scratch folder name in `tmp/`, ending in its job id and run number. */
export const jobScratchName = /-job(\d+)\.(\d+)$/;

/**
 * Upload scratch folders carry the name of the API process writing them (base64url), so a
 * starting process removes only those of processes that have ended: several API processes may
 * share one data folder on PostgreSQL.
 */
export function uploadScratchPrefix(owner: string): string {
  return `upload-${Buffer.from(owner).toString('base64url')}-`;
}

const uploadScratchName = /^upload-([A-Za-z0-9_-]+)-[A-Za-z0-9]{6}$/;

/**
 * Removes what uploads of ended API processes left in the scratch folder (`ownerIsGone` tells;
 * folders of older versions, which name no owner, count as ended). Job folders are left to the
 * workers (jobs/job-scratch.ts): their jobs may run in another process.
 */
export async function clearScratch(dataDir: string, ownerIsGone: (owner: string) => boolean): Promise<void> {
  const scratch = join(dataDir, dataPaths.tmp);
  const entries = await readdir(scratch).catch(() => []);
  const ended = (name: string) => {
    const owner = uploadScratchName.exec(name)?.[1];
    return owner === undefined || ownerIsGone(Buffer.from(owner, 'base64url').toString());
  };
  await Promise.all(entries.filter((name) => !jobScratchName.test(name) && ended(name)).map((name) => rm(join(scratch, name), { recursive: true, force: true })));
}
