import type { Kysely } from 'kysely';
import type { Invitation, NewInvitation } from '../../domain/model/invitations.js';
import type * as port from '../../domain/ports/store.js';
import type { Database } from '../schema.js';
import { newUid } from './uid.js';

/** Invitations to join workgroups. */
export class InvitationsRepository implements port.InvitationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByUid(uid: string): Promise<Invitation | undefined> {
    return this.db.selectFrom('invitations').selectAll().where('uid', '=', uid).executeTakeFirst();
  }

  async listForGroup(groupId: number): Promise<Invitation[]> {
    return this.db.selectFrom('invitations').selectAll().where('group_id', '=', groupId).orderBy('email').execute();
  }

  /** A workgroup's invitation of `email`, or any; one at most per address. */
  async findForEmail(groupId: number, email: string): Promise<Invitation | undefined> {
    return this.db.selectFrom('invitations').selectAll().where('group_id', '=', groupId).where('email', '=', email).executeTakeFirst();
  }

  async create(invitation: NewInvitation): Promise<Invitation> {
    return this.db.insertInto('invitations').values({ ...invitation, uid: newUid() }).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, patch: Partial<Pick<Invitation, 'role' | 'expires_at'>> & { updated_at: string }): Promise<Invitation> {
    return this.db.updateTable('invitations').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /** False when it was gone already (answered by another request). */
  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('invitations').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
