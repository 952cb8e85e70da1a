import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { NewToken, Token } from '../../domain/model/tokens.js';
import type * as port from '../../domain/ports/store.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database } from '../schema.js';

const fields: FieldMap = {
  id: 'tokens.id',
  name: 'tokens.name',
  user: 'tokens.user_id',
  created_at: 'tokens.created_at',
  expires_at: 'tokens.expires_at',
  last_used_at: 'tokens.last_used_at',
};

export class TokensRepository implements port.TokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByHash(keyHash: string): Promise<Token | undefined> {
    return this.db.selectFrom('tokens').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  }

  async findById(id: number): Promise<Token | undefined> {
    return this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Lists tokens, all of them or one user's. */
  async list(query: ListQuery, ownerId: number | null): Promise<ListResult<Token>> {
    return runListQuery(
      this.db,
      (db) => {
        const base = db.selectFrom('tokens').selectAll('tokens');
        return ownerId === null ? base : base.where('tokens.user_id', '=', ownerId);
      },
      query,
      fields,
      'tokens.id',
    );
  }

  async create(row: NewToken): Promise<Token> {
    return this.db
      .insertInto('tokens')
      .values({ ...row, last_used_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('tokens').where('id', '=', id).execute();
  }

  async deleteForUser(userId: number): Promise<void> {
    await this.db.deleteFrom('tokens').where('user_id', '=', userId).execute();
  }

  async touch(id: number, at: string): Promise<void> {
    await this.db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
