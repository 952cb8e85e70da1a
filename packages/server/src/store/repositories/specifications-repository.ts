import type { Kysely } from 'kysely';
import type { NewSpecification, Specification, SpecificationPatch } from '../../domain/model/specifications.js';
import type * as port from '../../domain/ports/store.js';
import type { Database } from '../schema.js';
import { newUid } from './uid.js';

/** Workgroups' specifications. */
export class SpecificationsRepository implements port.SpecificationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByUid(uid: string): Promise<Specification | undefined> {
    return this.db.selectFrom('specifications').selectAll().where('uid', '=', uid).executeTakeFirst();
  }

  async listForGroup(groupId: number): Promise<Specification[]> {
    return this.db.selectFrom('specifications').selectAll().where('group_id', '=', groupId).orderBy('name').orderBy('id').execute();
  }

  async create(specification: NewSpecification): Promise<Specification> {
    return this.db.insertInto('specifications').values({ ...specification, uid: newUid() }).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, patch: SpecificationPatch): Promise<Specification> {
    return this.db.updateTable('specifications').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('specifications').where('id', '=', id).execute();
  }
}
