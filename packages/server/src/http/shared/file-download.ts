import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MapshelfError } from '../../domain/errors.js';

export interface DownloadFile {
  /** Absolute path. */
  path: string;
  size: number;
  /** A strong validator of the content, e.g. its SHA-256. */
  etag: string;
  /** The name the client saves it under. */
  filename: string;
  mediaType: string;
  /** A Content-Disposition of the face's own, for clients that read it their way. */
  disposition?: string;
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  // RFC 8187 attr-chars exclude ' ( ) *, which encodeURIComponent leaves alone.
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** If-None-Match matches: `*`, or any tag in the list compared weakly (RFC 9110 13.1.2). */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** Whether a request for a download gets the whole file, as opposed to part of it or a 304. */
export function isFullDownload(request: FastifyRequest): boolean {
  return request.method === 'GET' && request.headers.range === undefined && request.headers['if-none-match'] === undefined;
}

/** One `bytes=a-b` range within `size`, or null when the header asks for something else (then the whole file is sent). */
function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    // A suffix: the last N bytes.
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/**
 * Sends a stored file as a download: `Content-Length`, `ETag`, `Content-Disposition`, and a
 * single `Range` (206) so interrupted downloads resume; `If-Range` with another ETag gets the
 * whole file. The content type is never sniffed by browsers.
 */
export function sendDownload(request: FastifyRequest, reply: FastifyReply, file: DownloadFile): FastifyReply {
  const etag = `"${file.etag}"`;
  reply
    .header('ETag', etag)
    .header('Accept-Ranges', 'bytes')
    .header('Content-Disposition', file.disposition ?? contentDisposition(file.filename))
    .header('X-Content-Type-Options', 'nosniff')
    .type(file.mediaType);
  if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
  const rangeHeader = request.headers.range;
  const ifRange = request.headers['if-range'];
  const range = rangeHeader && (!ifRange || ifRange === etag) ? parseRange(rangeHeader, file.size) : null;
  if (range === 'unsatisfiable') {
    reply.header('Content-Range', `bytes */${file.size}`);
    throw new MapshelfError('range_not_satisfiable', `The file has ${file.size} bytes; ask for a range inside it.`);
  }
  if (range) {
    reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`).header('Content-Length', range.end - range.start + 1);
    return reply.send(createReadStream(file.path, { start: range.start, end: range.end }));
  }
  // HEAD gets the stream too: Fastify drops a HEAD body but keeps Content-Length only when there is one.
  return reply.header('Content-Length', file.size).send(createReadStream(file.path));
}
