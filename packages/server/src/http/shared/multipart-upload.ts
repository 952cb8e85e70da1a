import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { absolute, dataPaths, uploadScratchPrefix, type StagedUpload } from '../../domain/data-paths.js';
import { MapshelfError, invalidParameter } from '../../domain/errors.js';
import { safeRelativePath } from '../../files/safe-path.js';
import { checkClientJsonDepth, parseClientJson } from './json-body.js';
import { UploadPaths } from '../../files/upload-paths.js';
import { thisProcess as uploadOwner } from '../../jobs/lease-holders.js';
import { clientFileError, defaultZipLimits, extractZip } from '../../files/zip-extract.js';

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
  /**
   * The fields come as plain form fields (repeated ones as a list), not as one JSON part: what
   * the Isogeo SDK sends with a hosted file. `jsonPart` then names nothing.
   */
  formFields?: boolean;
}

/** The operator's limits on one upload, in bytes. */
export interface UploadLimits {
  /** All the file parts together (`--upload-limit`). */
  uploadLimit: number;
  /** Everything the upload occupies once its zips are extracted (`--extract-limit`). */
  extractLimit: number;
  /** How the operator sets `uploadLimit`, for messages. */
  uploadLimitName?: string;
}

/** Largest JSON part: the same as @fastify/multipart's `fieldSize` in app.ts. */
const maxJsonPartBytes = 1024 * 1024;
/** Room in a request's Content-Length beside its files: the JSON part and every part's headers. */
const multipartSlack = maxJsonPartBytes + 1024 * 1024;

function tooLarge(limits: UploadLimits, location: string): MapshelfError {
  const message = `the upload's files together are over ${limits.uploadLimit} bytes, the limit this server accepts (${limits.uploadLimitName ?? '--upload-limit, MAPSHELF_UPLOAD_LIMIT'})`;
  return new MapshelfError('body_too_large', `${location}: ${message}.`, { errors: [{ location, message }] });
}

/**
 * Refuses a Content-Type without a multipart boundary (busboy would throw, a 500), and a body
 * whose declared length is past the limit, before anything is read.
 */
function checkHeaders(request: FastifyRequest, limits: UploadLimits): void {
  const type = request.headers['content-type'] ?? '';
  if (!/;\s*boundary=(?:"[^"]+"|[^\s;]+)/i.test(type)) {
    throw invalidParameter('header.content-type', 'multipart/form-data needs a boundary parameter (multipart/form-data; boundary=...)', 'bad_request');
  }
  const length = Number(request.headers['content-length']);
  if (Number.isFinite(length) && length > limits.uploadLimit + multipartSlack) throw tooLarge(limits, 'header.content-length');
}

/**
 * Reads the request's parts one at a time, with the parser's own errors turned into 4xx answers
 * that name the part: busboy's (a malformed body) carry neither code nor status and would be
 * 500s. Called by hand rather than through `for await`, which would close the parts iterator on
 * the first error, before what is left of the request could be read.
 */
function partReader(request: FastifyRequest, shape: UploadShape, limits: UploadLimits, current: () => string): () => Promise<Multipart | null> {
  const parts = request.parts();
  return async () => {
    try {
      const next = await parts.next();
      return next.done ? null : next.value;
    } catch (error) {
      const e = error as { code?: string; statusCode?: number; message?: string };
      if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limits, current());
      if (e.code === 'FST_INVALID_JSON_FIELD_ERROR') {
        const where = `multipart.${shape.jsonPart}`;
        throw new MapshelfError('invalid_json', `${where}: sent as application/json but not valid JSON`, { errors: [{ location: where, message: 'not valid JSON' }] });
      }
      if (e.code === undefined && e.statusCode === undefined) {
        throw invalidParameter('multipart', `the multipart body is malformed (${e.message ?? 'unreadable'})`, 'bad_request');
      }
      throw error;
    }
  };
}

/** The JSON part's value, however it was sent: plain text, `application/json` (parsed already by the plugin) or a file part. */
async function jsonValue(part: Multipart, where: string, limits: UploadLimits): Promise<unknown> {
  let text: string;
  if (part.type === 'field') {
    if (part.valueTruncated) throw new MapshelfError('body_too_large', `${where}: over ${maxJsonPartBytes} bytes`, { errors: [{ location: where, message: `over ${maxJsonPartBytes} bytes` }] });
    // @fastify/multipart parses a part sent as application/json itself.
    if (part.mimetype.startsWith('application/json')) return checkClientJsonDepth(part.value, where);
    text = String(part.value);
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxJsonPartBytes) {
        part.file.resume();
        throw new MapshelfError('body_too_large', `${where}: over ${maxJsonPartBytes} bytes`, { errors: [{ location: where, message: `over ${maxJsonPartBytes} bytes` }] });
      }
      chunks.push(chunk);
    }
    if (part.file.truncated) throw tooLarge(limits, where);
    text = Buffer.concat(chunks).toString('utf8');
  }
  return parseClientJson(text, where);
}

/**
 * Streams a Koordinates-style multipart upload to a scratch folder: one part is JSON,
 * `file0..fileN` (or `file`) are files whose names are their upload paths. The files together
 * may hold at most `limits.uploadLimit` bytes, and once zips are extracted at most
 * `limits.extractLimit`. On any failure the scratch folder is removed. Messages name parts and
 * upload paths, never the server's paths.
 */
export async function receiveUpload<Fields>(
  request: FastifyRequest,
  dataDir: string,
  shape: UploadShape,
  validate: (fields: unknown) => Fields,
  limits: UploadLimits,
): Promise<ReceivedUpload<Fields>> {
  const expected = `a "${shape.jsonPart}" JSON part and ${shape.maxFiles === 1 ? 'one file part (file0)' : 'file0..fileN parts'}`;
  if (!request.isMultipart()) {
    throw new MapshelfError('unsupported_media_type', `Upload as multipart/form-data: ${expected}.`, {
      errors: [{ location: 'header.content-type', message: `must be multipart/form-data, not ${request.headers['content-type'] ?? 'missing'}` }],
    });
  }
  checkHeaders(request, limits);
  const scratch = absolute(dataDir, dataPaths.tmp);
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(join(scratch, uploadScratchPrefix(uploadOwner)));
  try {
    let fields: unknown = shape.formFields ? Object.create(null) : undefined;
    const files: Array<{ path: string; size: number }> = [];
    const paths = new UploadPaths('multipart');
    let received = 0;
    let current = 'multipart';
    const nextPart = partReader(request, shape, limits, () => current);
    try {
      for (let part = await nextPart(); part; part = await nextPart()) {
        const where = `multipart.${part.fieldname}`;
        current = where;
        if (shape.formFields && part.type === 'field') {
          const form = fields as Record<string, unknown>;
          const value = String(part.value);
          const previous = form[part.fieldname];
          form[part.fieldname] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
          continue;
        }
        if (!shape.formFields && part.fieldname === shape.jsonPart) {
          if (fields !== undefined) {
            if (part.type === 'file') part.file.resume();
            throw invalidParameter(where, `given twice; send one "${shape.jsonPart}" JSON part`);
          }
          fields = await jsonValue(part, where, limits);
          continue;
        }
        if (part.type === 'field') throw invalidParameter(where, `unknown part; send ${expected}`);
        if (!/^file\d*$/.test(part.fieldname)) {
          part.file.resume();
          throw invalidParameter(where, `unknown part; send ${expected}`);
        }
        if (files.length === shape.maxFiles) {
          part.file.resume();
          throw invalidParameter(where, `too many files; send ${expected}`);
        }
        let path: string;
        try {
          path = safeRelativePath(part.filename || part.fieldname, where);
          paths.addFile(path, where);
        } catch (error) {
          part.file.resume();
          throw error;
        }
        const destination = join(dir, path);
        let size = 0;
        let over = false;
        // Past the limit the rest is read and dropped, as busboy does past `fileSize`, so the
        // 413 reaches a client that is still sending; nothing more is written.
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            received += chunk.length;
            size += chunk.length;
            if (received > limits.uploadLimit) over = true;
            done(null, over ? undefined : chunk);
          },
        });
        try {
          await mkdir(dirname(destination), { recursive: true });
          await pipeline(part.file, counter, createWriteStream(destination, { flags: 'wx' }));
        } catch (error) {
          part.file.resume();
          throw clientFileError(error, where, path) ?? error;
        }
        if (over) throw tooLarge(limits, where);
        files.push({ path, size });
      }
    } catch (error) {
      // Read what is left of the request, so the connection stays usable for the next one.
      try {
        for (let part = await nextPart(); part; part = await nextPart()) if (part.type === 'file') part.file.resume();
      } catch {
        // The stream is broken; the connection closes with the response.
      }
      throw error;
    }
    if (fields === undefined) throw invalidParameter(`multipart.${shape.jsonPart}`, `is required: JSON such as ${shape.example}`);
    if (files.length === 0) throw invalidParameter(shape.formFields ? 'multipart.file' : 'multipart.file0', 'give at least one file');
    const validated = validate(fields);

    const isZip = (path: string) => shape.extractZips && path.toLowerCase().endsWith('.zip');
    // The extract limit counts everything the upload leaves on disk: plain files and zips' contents.
    let used = files.filter((f) => !isZip(f.path)).reduce((sum, f) => sum + f.size, 0);
    const extracted: string[] = [];
    for (const { path } of files) {
      if (!isZip(path)) {
        extracted.push(path);
        continue;
      }
      const folder = path.slice(0, -4);
      paths.addFolder(folder, `file ${path}`);
      const inside = await extractZip(join(dir, path), join(dir, folder), path, { ...defaultZipLimits, maxTotalBytes: Math.max(0, limits.extractLimit - used) });
      used += inside.bytes;
      await rm(join(dir, path));
      extracted.push(...inside.files.map((p) => `${folder}/${p}`));
    }
    return { fields: validated, staged: { dir }, files: extracted };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
