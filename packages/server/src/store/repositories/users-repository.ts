import { sql, type Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, GroupMemberRow, NewUserRow, UserRow, UserUpdate } from '../schema.js';

/** Which users a list may return: all of them, or the caller and the members of the caller's groups. */
export type UserVisibility = { all: true } | { all: false; viewerId: number };

const fields: FieldMap = {
  id: 'users.id',
  username: 'users.username',
  email: 'users.email',
  first_name: 'users.first_name',
  last_name: 'users.last_name',
  is_admin: 'users.is_admin',
  is_active: 'users.is_active',
  date_joined: 'users.created_at',
  group: {
    condition: (eb, _lookup, value) =>
      eb('users.id', 'in', eb.selectFrom('group_members').select('user_id').where('group_id', '=', Number(value))),
  },
};

export interface UserMembership extends GroupMemberRow {
  group_name: string;
}

export class UsersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async list(query: ListQuery, visibility: UserVisibility): Promise<ListResult<UserRow>> {
    return runListQuery(
      this.db,
      (db) => {
        const base = db.selectFrom('users').selectAll('users');
        if (visibility.all) return base;
        const viewerId = visibility.viewerId;
        return base.where((eb) =>
          eb.or([
            eb('users.id', '=', viewerId),
            eb(
              'users.id',
              'in',
              eb
                .selectFrom('group_members as theirs')
                .innerJoin('group_members as mine', 'mine.group_id', 'theirs.group_id')
                .select('theirs.user_id')
                .where('mine.user_id', '=', viewerId),
            ),
          ]),
        );
      },
      query,
      fields,
      'users.id',
    );
  }

  /** True when the two users share at least one group. */
  async shareAGroup(a: number, b: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('group_members as x')
      .innerJoin('group_members as y', 'y.group_id', 'x.group_id')
      .select('x.group_id')
      .where('x.user_id', '=', a)
      .where('y.user_id', '=', b)
      .executeTakeFirst();
    return row !== undefined;
  }

  async create(row: NewUserRow): Promise<UserRow> {
    return this.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, patch: UserUpdate): Promise<UserRow> {
    return this.db.updateTable('users').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async countActiveAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('n'))
      .where('is_admin', '=', 1)
      .where('is_active', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async memberships(userId: number): Promise<UserMembership[]> {
    return this.db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .selectAll('group_members')
      .select('groups.name as group_name')
      .where('group_members.user_id', '=', userId)
      .orderBy('groups.name')
      .execute();
  }
}
