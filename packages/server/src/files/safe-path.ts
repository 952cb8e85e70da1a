import { posix } from 'node:path';
import { invalidParameter } from '../domain/errors.js';

/**
 * A client-given file name (an upload path or a zip entry) as a safe relative path, or a 400
 * naming `where`: no absolute paths, drive letters, `..` segments, NUL bytes or backslash tricks.
 */
export function safeRelativePath(name: string, where: string): string {
  const unified = name.replace(/\\/g, '/');
  const normalized = posix.normalize(unified).replace(/^(\.\/)+/, '');
  if (
    unified === '' ||
    unified.startsWith('/') ||
    /^[a-zA-Z]:/.test(unified) ||
    normalized === '.' ||
    normalized.split('/').includes('..') ||
    unified.includes('\0')
  ) {
    throw invalidParameter(where, `the path "${name}" is not a safe relative path; it was rejected`);
  }
  return normalized;
}
