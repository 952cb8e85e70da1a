import { sql, type Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { NewUser, User, UserMembership, UserPatch, UserVisibility } from '../../domain/model/users.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readBools, writeBools } from './columns.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { SqlDialect } from './sql-dialect.js';
import type { Database, UserRow } from '../schema.js';
import { newUid } from './uid.js';

const boolColumns = ['is_admin', 'is_active'] as const;
const userOf = (row: UserRow): User => readBools(row, boolColumns);

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

export class UsersRepository implements port.UsersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async findById(id: number): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && userOf(row);
  }

  async findByUid(uid: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && userOf(row);
  }

  /** The users with this email address, in any case (addresses are not unique among users). */
  async findByEmail(email: string): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.toLowerCase()).execute();
    return rows.map(userOf);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where(this.dialect.sameName('username', username)).executeTakeFirst();
    return row && userOf(row);
  }

  async list(query: ListQuery, visibility: UserVisibility): Promise<ListResult<User>> {
    const result = await runListQuery(
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
    return decodeItems(result, userOf);
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

  async create(user: NewUser): Promise<User> {
    const row = await this.db
      .insertInto('users')
      .values({ ...writeBools(user, boolColumns), uid: newUid() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return userOf(row);
  }

  async update(id: number, patch: UserPatch): Promise<User> {
    return userOf(await this.db.updateTable('users').set(writeBools(patch, boolColumns)).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
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
      .select(['groups.name as group_name', 'groups.uid as group_uid'])
      .where('group_members.user_id', '=', userId)
      .orderBy('groups.name')
      .execute();
  }

  async roles(userId: number): Promise<Array<Pick<UserMembership, 'group_id' | 'role'>>> {
    return this.db.selectFrom('group_members').select(['group_id', 'role']).where('user_id', '=', userId).execute();
  }
}
