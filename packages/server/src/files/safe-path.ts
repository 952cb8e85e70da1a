import { posix } from 'node:path';
import { invalidParameter } from '../domain/errors.js';
import { unsafeCharacter } from '../domain/plain-text.js';

/** Longest path component, in UTF-8 bytes: what Linux, macOS and Windows file systems accept. */
export const maxComponentBytes = 255;
/**
 * Longest relative path, in UTF-8 bytes. With a zip's folder before an entry's path and the data
 * folder before both, this stays well under Linux's PATH_MAX (4,096).
 */
export const maxPathBytes = 1024;

/**
 * A client-given file name (an upload path or a zip entry) as a safe relative path, or a 400
 * naming `where`: no absolute paths, drive letters, `..` segments, control or bidirectional
 * characters (NUL included) or backslash tricks;
 * no component over 255 bytes nor a path over 1,024; and, for a file, a name after the last `/`
 * (`dir/` names a folder). `kind: 'folder'` accepts a trailing `/` (a zip's folder entries).
 */
export function safeRelativePath(name: string, where: string, kind: 'file' | 'folder' = 'file'): string {
  const unified = name.replace(/\\/g, '/');
  const normalized = posix.normalize(unified).replace(/^(\.\/)+/, '');
  const refuse = (why: string) => invalidParameter(where, `the path "${shorten(name)}" ${why}; it was rejected`);
  if (
    unified === '' ||
    unified.startsWith('/') ||
    /^[a-zA-Z]:/.test(unified) ||
    normalized === '.' ||
    normalized === './' ||
    normalized.split('/').includes('..') ||
    unified.includes('\0')
  ) {
    throw refuse('is not a safe relative path');
  }
  const character = unsafeCharacter(unified);
  if (character) throw refuse(`holds ${character.what} (${character.codePoint})`);
  if (kind === 'file' && /(^|\/)\.?$/.test(unified)) throw refuse('names a folder, not a file (it has no name after its last "/")');
  const trimmed = normalized.replace(/\/$/, '');
  if (trimmed.split('/').some((component) => Buffer.byteLength(component) > maxComponentBytes)) {
    throw refuse(`has a name over ${maxComponentBytes} bytes`);
  }
  if (Buffer.byteLength(trimmed) > maxPathBytes) throw refuse(`is over ${maxPathBytes} bytes long`);
  return trimmed;
}

/** A long name cut down for a message, so a 300-character name doesn't fill the answer. */
function shorten(name: string): string {
  return name.length > 80 ? `${name.slice(0, 40)}…${name.slice(-20)}` : name;
}
