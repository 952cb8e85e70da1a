import type { Kysely } from 'kysely';
import type { Contact, ContactPatch, NewContact } from '../../domain/model/contacts.js';
import type * as port from '../../domain/ports/store.js';
import type { Database } from '../schema.js';
import { newUid } from './uid.js';

/** Workgroups' contacts. */
export class ContactsRepository implements port.ContactsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByUid(uid: string): Promise<Contact | undefined> {
    return this.db.selectFrom('contacts').selectAll().where('uid', '=', uid).executeTakeFirst();
  }

  /** A workgroup's contacts, by name (then organisation). */
  async listForGroup(groupId: number): Promise<Contact[]> {
    return this.db.selectFrom('contacts').selectAll().where('group_id', '=', groupId).orderBy('name').orderBy('organization').orderBy('id').execute();
  }

  async create(contact: NewContact): Promise<Contact> {
    return this.db.insertInto('contacts').values({ ...contact, uid: newUid() }).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, patch: ContactPatch): Promise<Contact> {
    return this.db.updateTable('contacts').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('contacts').where('id', '=', id).execute();
  }
}
