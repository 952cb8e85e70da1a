/**
 * Column encodings, decoded on read and encoded on write, so the domain sees arrays, objects and
 * booleans and the same repository code serves every engine: SQLite hands JSON back as text and
 * booleans as 0/1, PostgreSQL hands jsonb back parsed and booleans as true/false. Both take JSON
 * text and 1/0 when written.
 */
import type { ListResult } from '../../domain/list-query.js';

/**
 * A JSON column's value: JSON text (SQLite), or the value already parsed (jsonb). Only for
 * columns holding objects, arrays or numbers: jsonb hands a bare JSON string back unquoted, so a
 * column that may hold one is text on every engine and is parsed as such.
 */
export function fromJson<T>(value: string | T): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** A boolean column's value: 0/1 (SQLite) or true/false (PostgreSQL). */
export function fromBool(value: number | boolean): boolean {
  return value === true || value === 1;
}

type JsonDecoded<R, K extends keyof R> = { [P in keyof R]: P extends K ? Exclude<R[P], string> : R[P] };
type JsonEncoded<R, K extends keyof R> = { [P in keyof R]: P extends K ? (null extends R[P] ? string | null : string) : R[P] };
type BoolDecoded<R, K extends keyof R> = { [P in keyof R]: P extends K ? boolean : R[P] };
type BoolEncoded<R, K extends keyof R> = { [P in keyof R]: P extends K ? number : R[P] };

/** `row` with its JSON columns `keys` decoded; a SQL null stays null. */
export function readJson<R extends object, K extends keyof R>(row: R, keys: readonly K[]): JsonDecoded<R, K> {
  const out = { ...row } as Record<PropertyKey, unknown>;
  for (const key of keys) if (out[key] !== null && out[key] !== undefined) out[key] = fromJson(out[key]);
  return out as JsonDecoded<R, K>;
}

/** A row or patch with the fields `keys` as JSON text; fields left out stay out, and null stays a SQL null. */
export function writeJson<R extends object, K extends keyof R>(row: R, keys: readonly K[]): JsonEncoded<R, K> {
  const out = { ...row } as Record<PropertyKey, unknown>;
  for (const key of keys) if (out[key] !== null && out[key] !== undefined) out[key] = JSON.stringify(out[key]);
  return out as JsonEncoded<R, K>;
}

/** `row` with its boolean columns `keys` decoded. */
export function readBools<R extends object, K extends keyof R>(row: R, keys: readonly K[]): BoolDecoded<R, K> {
  const out = { ...row } as Record<PropertyKey, unknown>;
  for (const key of keys) out[key] = fromBool(out[key] as number | boolean);
  return out as BoolDecoded<R, K>;
}

/** A row or patch with the boolean fields `keys` as 1/0; fields left out stay out. */
export function writeBools<R extends object, K extends keyof R>(row: R, keys: readonly K[]): BoolEncoded<R, K> {
  const out = { ...row } as Record<PropertyKey, unknown>;
  for (const key of keys) if (out[key] !== undefined) out[key] = out[key] ? 1 : 0;
  return out as BoolEncoded<R, K>;
}

/** A list page with each row decoded. */
export function decodeItems<R, T>(result: ListResult<R>, decode: (row: R) => T): ListResult<T> {
  return { ...result, items: result.items.map(decode) };
}
