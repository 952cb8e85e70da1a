import type { Kysely } from 'kysely';
import type { Application, ApplicationPatch, NewApplication, NewOAuthToken, OAuthToken } from '../../domain/model/applications.js';
import type { UserAccount, UserAccountPatch } from '../../domain/model/users.js';
import type * as port from '../../domain/ports/store.js';
import { readBools, readJson, writeBools, writeJson } from './columns.js';
import type { ApplicationRow, Database } from '../schema.js';
import { newUid } from './uid.js';

const jsonColumns = ['redirect_uris', 'scopes'] as const;
const boolColumns = ['can_have_many_groups', 'staff'] as const;
const applicationOf = (row: ApplicationRow): Application => readBools(readJson(row, jsonColumns), boolColumns) as Application;
const encoded = (row: Partial<Application>) => writeBools(writeJson(row, jsonColumns), boolColumns);

/** OAuth2 clients, their workgroups, the tokens they were given, and the users' accounts they sign in to. */
export class ApplicationsRepository implements port.ApplicationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: number): Promise<Application | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
    return row && applicationOf(row);
  }

  async findByUid(uid: string): Promise<Application | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && applicationOf(row);
  }

  async findByClientId(clientId: string): Promise<Application | undefined> {
    const row = await this.db.selectFrom('applications').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row && applicationOf(row);
  }

  /** Every application, or those of one workgroup, by name. */
  async list(only: { groupId?: number } = {}): Promise<Application[]> {
    let query = this.db.selectFrom('applications').selectAll('applications');
    if (only.groupId !== undefined) {
      const groupId = only.groupId;
      query = query.where('applications.id', 'in', (eb) => eb.selectFrom('application_groups').select('application_id').where('group_id', '=', groupId));
    }
    return (await query.orderBy('applications.name').orderBy('applications.id').execute()).map(applicationOf);
  }

  async create(application: NewApplication): Promise<Application> {
    const row = await this.db.insertInto('applications').values({ ...encoded(application), uid: newUid() } as never).returningAll().executeTakeFirstOrThrow();
    return applicationOf(row);
  }

  async update(id: number, patch: ApplicationPatch): Promise<Application> {
    const row = await this.db.updateTable('applications').set(encoded(patch) as never).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return applicationOf(row);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('applications').where('id', '=', id).execute();
  }

  async groupIds(applicationId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('application_groups').select('group_id').where('application_id', '=', applicationId).orderBy('group_id').execute();
    return rows.map((row) => row.group_id);
  }

  /** False when the application was in the group already. */
  async addGroup(applicationId: number, groupId: number): Promise<boolean> {
    const result = await this.db
      .insertInto('application_groups')
      .values({ application_id: applicationId, group_id: groupId })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** False when the application was not in the group. */
  async removeGroup(applicationId: number, groupId: number): Promise<boolean> {
    const result = await this.db.deleteFrom('application_groups').where('application_id', '=', applicationId).where('group_id', '=', groupId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createToken(token: NewOAuthToken): Promise<OAuthToken> {
    return this.db.insertInto('oauth_tokens').values(token).returningAll().executeTakeFirstOrThrow();
  }

  async findToken(hash: string, kind: OAuthToken['kind']): Promise<OAuthToken | undefined> {
    return this.db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', hash).where('kind', '=', kind).executeTakeFirst();
  }

  /** False when the token was gone already (used by another request, or revoked). */
  async deleteToken(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('oauth_tokens').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Tokens past their expiry, which can never be used again. */
  async deleteExpiredTokens(now: string): Promise<number> {
    const result = await this.db.deleteFrom('oauth_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteTokensForUser(userId: number): Promise<void> {
    await this.db.deleteFrom('oauth_tokens').where('user_id', '=', userId).execute();
  }

  async account(userId: number): Promise<UserAccount | undefined> {
    return this.db.selectFrom('user_accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async putAccount(userId: number, patch: UserAccountPatch): Promise<UserAccount> {
    return this.db
      .insertInto('user_accounts')
      .values({ user_id: userId, password_hash: null, language: 'en', timezone: 'UTC', ...patch })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(patch))
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
