import type { FastifyInstance } from 'fastify';
import { MapshelfError } from '../../../domain/errors.js';

/** Where under `value` a string holds a NUL (`body.contacts[0].name`), or null. PostgreSQL can't store one, and no text needs one. */
function nulAt(value: unknown, place: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? place : null;
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const found = nulAt(child, Array.isArray(value) ? `${place}[${key}]` : `${place}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Refuses text holding a NUL character, naming where it is. */
export function assertNoNul(value: unknown, place: string): void {
  const at = nulAt(value, place);
  if (at) throw new MapshelfError('invalid_body', `${at}: holds a NUL character (\\u0000), which no text may.`, { errors: [{ location: at, message: 'holds a NUL character (\\u0000)' }] });
}

/** Every body this face takes (JSON, forms, XML), checked for NUL characters before anything reads it. */
export function registerNulCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => assertNoNul(request.body, 'body'));
}
