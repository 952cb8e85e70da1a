import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { absolute, dataPaths } from '../../../domain/data-paths.js';
import { MapshelfError, invalidParameter } from '../../../domain/errors.js';
import type { StagedUpload } from '../../../domain/sources.js';
import { safeRelativePath } from '../../../files/safe-path.js';
import { extractZip } from '../../../files/zip-extract.js';

export interface ReceivedUpload<Source> {
  /** The `source` part, parsed and validated. */
  source: Source;
  staged: StagedUpload;
  /** Relative paths of the files, zips already extracted. */
  files: string[];
}

/**
 * Streams a Koordinates-style multipart upload to a scratch folder: the `source` part is JSON,
 * `file0..fileN` are files whose names are their upload paths. Zips are extracted in place
 * (into a folder named after the zip). On any failure the scratch folder is removed.
 */
export async function receiveUpload<Source>(
  request: FastifyRequest,
  dataDir: string,
  validate: (source: unknown) => Source,
): Promise<ReceivedUpload<Source>> {
  if (!request.isMultipart()) {
    throw new MapshelfError('unsupported_media_type', 'Upload sources as multipart/form-data: a "source" JSON part and file0..fileN parts.');
  }
  const scratch = absolute(dataDir, dataPaths.tmp);
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(join(scratch, 'upload-'));
  try {
    let source: unknown;
    const files: string[] = [];
    const parts = request.parts();
    try {
      for await (const part of parts) {
        const where = `multipart.${part.fieldname}`;
        if (part.type === 'field') {
          if (part.fieldname !== 'source') throw invalidParameter(where, 'unknown part; send "source" (JSON) and file0..fileN');
          try {
            source = JSON.parse(String(part.value));
          } catch (error) {
            throw new MapshelfError('invalid_json', `multipart.source: not valid JSON (${(error as Error).message})`, {
              errors: [{ location: where, message: 'not valid JSON' }],
            });
          }
          continue;
        }
        if (!/^file\d+$/.test(part.fieldname)) {
          part.file.resume();
          throw invalidParameter(where, 'unknown part; files go in file0..fileN');
        }
        const path = safeRelativePath(part.filename || part.fieldname, where);
        const destination = join(dir, path);
        await mkdir(dirname(destination), { recursive: true });
        try {
          await pipeline(part.file, createWriteStream(destination, { flags: 'wx' }));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw invalidParameter(where, `two files are named "${path}"`);
          throw error;
        }
        files.push(path);
      }
    } catch (error) {
      // Read what is left of the request, so the connection stays usable for the next one.
      try {
        for await (const part of parts) if (part.type === 'file') part.file.resume();
      } catch {
        // The stream is broken; the connection closes with the response.
      }
      throw error;
    }
    if (source === undefined) throw invalidParameter('multipart.source', 'is required: JSON such as {"title": "Roads"}');
    if (files.length === 0) throw invalidParameter('multipart.file0', 'give at least one file');
    const validated = validate(source);

    const extracted: string[] = [];
    for (const path of files) {
      if (!path.toLowerCase().endsWith('.zip')) {
        extracted.push(path);
        continue;
      }
      const folder = path.slice(0, -4);
      const inside = await extractZip(join(dir, path), join(dir, folder), path);
      await rm(join(dir, path));
      extracted.push(...inside.map((p) => `${folder}/${p}`));
    }
    return { source: validated, staged: { dir }, files: extracted };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
