/**
 * The two numbers every request reads on PostgreSQL: the catalog's generation (migration 0003),
 * which decides whether a kept set of matches still stands, and the generation of tokens, users
 * and memberships (0005), which decides whether a kept actor does. Read together, and shared by
 * the requests waiting at once (`CoalescedRead`), so that under load a round trip answers many.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { CoalescedRead } from './coalesced-read.js';

export interface Generations {
  catalog: number;
  auth: number;
}

export function generationsRead(db: Kysely<Database>): CoalescedRead<Generations> {
  return new CoalescedRead(async () => {
    const { rows } = await sql<Generations>`select c.n as catalog, a.n as auth from catalog_generation as c, auth_generation as a`.execute(db);
    return rows[0]!;
  });
}
