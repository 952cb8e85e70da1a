import { ExitCode } from './exit-codes.js';
import type { Context } from './context.js';
import { UserError } from './output.js';

/** A reference to an item, read from `12` or from its URL: its id, and the version a version URL names. */
export interface ItemRef {
  id: number;
  version?: number;
}

const positiveId = (text: string) => /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) && Number(text) > 0;

/**
 * What a user named on the command line, by id (`12`) or by URL as the server printed it
 * (`…/services/api/v1/layers/12/`, or a version's `…/layers/12/versions/3/`). `collection` is the
 * API path the URL must be under (`layers`, `exports/croplayers`, …); a URL of another server, or
 * of another kind of item, is refused rather than read as a local id.
 */
export function itemRef(ctx: Context, text: string, collection: string, what: string): ItemRef {
  const trimmed = text.trim();
  if (positiveId(trimmed)) return { id: Number(trimmed) };
  if (!/^https?:\/\//i.test(trimmed)) throw new UserError(`${what} must be an id (a positive whole number) or its URL, not "${text}".`, ExitCode.usage);
  const api = `${ctx.connection.url}/services/api/v1/`;
  let path: string;
  try {
    const url = new URL(trimmed);
    path = `${url.origin}${url.pathname}`;
  } catch {
    throw new UserError(`${what}: "${text}" is not a URL.`, ExitCode.usage);
  }
  if (!path.startsWith(api)) throw new UserError(`${what}: ${text} is not a URL of the server this command talks to (${ctx.connection.url}). Give the id, or connect to that server with --url.`, ExitCode.usage);
  const rest = path.slice(api.length);
  const match = new RegExp(`^${collection.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\d+)/(?:versions/(\\d+)/)?$`).exec(rest.endsWith('/') ? rest : `${rest}/`);
  if (!match || !positiveId(match[1]!) || (match[2] !== undefined && !positiveId(match[2]))) {
    throw new UserError(`${what}: ${text} is not the URL of one of the ${collection.split('/').at(-1)}; give an id or a URL like ${api}${collection}/12/.`, ExitCode.usage);
  }
  return { id: Number(match[1]), ...(match[2] !== undefined && { version: Number(match[2]) }) };
}

/** The id of what a user named by id or URL (see {@link itemRef}); a version URL is refused here. */
export function itemId(ctx: Context, text: string, collection: string, what: string): number {
  const ref = itemRef(ctx, text, collection, what);
  if (ref.version !== undefined) throw new UserError(`${what}: ${text} names a version; give the URL of the ${collection.split('/').at(-1)!.replace(/s$/, '')} itself, or its id.`, ExitCode.usage);
  return ref.id;
}
