import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { Group, GroupMember, Member } from '../../domain/model/groups.js';
import type * as port from '../../domain/ports/store.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { SqlDialect } from './sql-dialect.js';
import type { Database } from '../schema.js';
import { newUid } from './uid.js';

const groupFields: FieldMap = {
  id: 'groups.id',
  name: 'groups.name',
  created_at: 'groups.created_at',
  member: {
    condition: (eb, _lookup, value) =>
      eb('groups.id', 'in', eb.selectFrom('group_members').select('group_id').where('user_id', '=', Number(value))),
  },
};

const memberFields: FieldMap = {
  role: 'group_members.role',
  user: 'group_members.user_id',
  username: 'users.username',
  joined_at: 'group_members.joined_at',
};

export class GroupsRepository implements port.GroupsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async findById(id: number): Promise<Group | undefined> {
    return this.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByUid(uid: string): Promise<Group | undefined> {
    return this.db.selectFrom('groups').selectAll().where('uid', '=', uid).executeTakeFirst();
  }

  async findByName(name: string): Promise<Group | undefined> {
    return this.db.selectFrom('groups').selectAll().where(this.dialect.sameName('name', name)).executeTakeFirst();
  }

  /** Every group, or with `memberId` only the groups that user belongs to. */
  async list(query: ListQuery, only: { memberId?: number } = {}): Promise<ListResult<Group>> {
    const { memberId } = only;
    return runListQuery(
      this.db,
      (db) => {
        const all = db.selectFrom('groups').selectAll('groups');
        return memberId === undefined
          ? all
          : all.where('groups.id', 'in', db.selectFrom('group_members').select('group_members.group_id').where('group_members.user_id', '=', memberId));
      },
      query,
      groupFields,
      'groups.id',
    );
  }

  async create(row: { name: string; description: string; created_at: string }): Promise<Group> {
    return this.db
      .insertInto('groups')
      .values({ ...row, uid: newUid(), updated_at: row.created_at })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async update(id: number, patch: { name?: string; description?: string; updated_at: string }): Promise<Group> {
    return this.db.updateTable('groups').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('groups').where('id', '=', id).execute();
  }

  /** The layers, tables, sets and documents the group holds: the records of its workgroup. */
  async itemCount(groupId: number): Promise<number> {
    const row = await this.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The workgroup's own names for coordinate systems, by EPSG code. */
  async coordinateSystemAliases(groupId: number): Promise<Map<number, string>> {
    const rows = await this.db.selectFrom('coordinate_system_aliases').select(['code', 'alias']).where('group_id', '=', groupId).orderBy('code').execute();
    return new Map(rows.map((row) => [Number(row.code), row.alias]));
  }

  async putCoordinateSystemAlias(groupId: number, code: number, alias: string, at: string): Promise<void> {
    await this.db
      .insertInto('coordinate_system_aliases')
      .values({ group_id: groupId, code, alias, updated_at: at })
      .onConflict((oc) => oc.columns(['group_id', 'code']).doUpdateSet({ alias, updated_at: at }))
      .execute();
  }

  /** False when the workgroup had no alias for it. */
  async deleteCoordinateSystemAlias(groupId: number, code: number): Promise<boolean> {
    const result = await this.db.deleteFrom('coordinate_system_aliases').where('group_id', '=', groupId).where('code', '=', code).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async memberCount(groupId: number): Promise<number> {
    const row = await this.db
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listMembers(groupId: number, query: ListQuery): Promise<ListResult<Member>> {
    return runListQuery(
      this.db,
      (db) =>
        db
          .selectFrom('group_members')
          .innerJoin('users', 'users.id', 'group_members.user_id')
          .selectAll('group_members')
          .select(['users.username', 'users.first_name', 'users.last_name'])
          .where('group_members.group_id', '=', groupId),
      query,
      memberFields,
      'group_members.user_id',
    );
  }

  async membership(groupId: number, userId: number): Promise<Member | undefined> {
    return this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .selectAll('group_members')
      .select(['users.username', 'users.first_name', 'users.last_name'])
      .where('group_members.group_id', '=', groupId)
      .where('group_members.user_id', '=', userId)
      .executeTakeFirst();
  }

  /** Adds the user to the group, or changes their role if they are in it already. */
  async putMember(row: GroupMember): Promise<void> {
    await this.db
      .insertInto('group_members')
      .values(row)
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doUpdateSet({ role: row.role }))
      .execute();
  }

  async removeMember(groupId: number, userId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
