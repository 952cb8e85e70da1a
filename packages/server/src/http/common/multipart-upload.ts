import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { absolute, dataPaths, type StagedUpload } from '../../domain/data-paths.js';
import { MapshelfError, invalidParameter } from '../../domain/errors.js';
import { safeRelativePath } from '../../files/safe-path.js';
import { extractZip } from '../../files/zip-extract.js';

export interface ReceivedUpload<Fields> {
  /** The JSON part, parsed and validated. */
  fields: Fields;
  staged: StagedUpload;
  /** Relative paths of the files, zips already extracted when asked. */
  files: string[];
}

/** What one kind of upload looks like. */
export interface UploadShape {
  /** Name of the JSON part, e.g. `source`. */
  jsonPart: string;
  /** An example of the JSON part, for error messages. */
  example: string;
  /** At most this many files. */
  maxFiles: number;
  /** Extract zips in place (into a folder named after the zip). */
  extractZips: boolean;
}

/**
 * Streams a Koordinates-style multipart upload to a scratch folder: one part is JSON,
 * `file0..fileN` (or `file`) are files whose names are their upload paths. On any failure the
 * scratch folder is removed.
 */
export async function receiveUpload<Fields>(
  request: FastifyRequest,
  dataDir: string,
  shape: UploadShape,
  validate: (fields: unknown) => Fields,
): Promise<ReceivedUpload<Fields>> {
  const expected = `a "${shape.jsonPart}" JSON part and ${shape.maxFiles === 1 ? 'one file part (file0)' : 'file0..fileN parts'}`;
  if (!request.isMultipart()) {
    throw new MapshelfError('unsupported_media_type', `Upload as multipart/form-data: ${expected}.`);
  }
  const scratch = absolute(dataDir, dataPaths.tmp);
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(join(scratch, 'upload-'));
  try {
    let fields: unknown;
    const files: string[] = [];
    const parts = request.parts();
    try {
      for await (const part of parts) {
        const where = `multipart.${part.fieldname}`;
        if (part.type === 'field') {
          if (part.fieldname !== shape.jsonPart) throw invalidParameter(where, `unknown part; send ${expected}`);
          try {
            fields = JSON.parse(String(part.value));
          } catch (error) {
            throw new MapshelfError('invalid_json', `${where}: not valid JSON (${(error as Error).message})`, {
              errors: [{ location: where, message: 'not valid JSON' }],
            });
          }
          continue;
        }
        if (!/^file\d*$/.test(part.fieldname)) {
          part.file.resume();
          throw invalidParameter(where, `unknown part; send ${expected}`);
        }
        if (files.length === shape.maxFiles) {
          part.file.resume();
          throw invalidParameter(where, `too many files; send ${expected}`);
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
    if (fields === undefined) throw invalidParameter(`multipart.${shape.jsonPart}`, `is required: JSON such as ${shape.example}`);
    if (files.length === 0) throw invalidParameter('multipart.file0', 'give at least one file');
    const validated = validate(fields);

    const extracted: string[] = [];
    for (const path of files) {
      if (!shape.extractZips || !path.toLowerCase().endsWith('.zip')) {
        extracted.push(path);
        continue;
      }
      const folder = path.slice(0, -4);
      const inside = await extractZip(join(dir, path), join(dir, folder), path);
      await rm(join(dir, path));
      extracted.push(...inside.map((p) => `${folder}/${p}`));
    }
    return { fields: validated, staged: { dir }, files: extracted };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
