import type { User, UserMembership } from './model/users.js';
import { type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, forbidden, notFound } from './errors.js';
import type { ListQuery, ListResult } from './list-query.js';
import { membershipsSeenBy } from './groups.js';
import { canUser, userVisibility } from './policies/users.js';

export interface UserDetail {
  user: User;
  memberships: UserMembership[];
}

export interface CreateUserInput {
  username: string;
  email?: string | null;
  first_name?: string;
  last_name?: string;
  is_admin?: boolean;
}

export interface UpdateUserInput {
  username?: string;
  email?: string | null;
  first_name?: string;
  last_name?: string;
  is_admin?: boolean;
  is_active?: boolean;
}

const adminOnlyFields = ['username', 'is_admin', 'is_active'] as const;

export async function listUsers(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<User>> {
  return ctx.store.users.list(query, userVisibility(actor));
}

/** The user, if the actor may see them; otherwise 404, so hidden users can't be told from missing ones. */
async function visibleUser(ctx: DomainContext, actor: Actor, id: number): Promise<User> {
  const user = await ctx.store.users.findById(id);
  const shares = actor.kind === 'user' && user !== undefined && (await ctx.store.users.shareAGroup(actor.user.id, id));
  if (!user || !canUser(actor, 'view', id, shares)) throw notFound(`User ${id}`);
  return user;
}

export async function getUser(ctx: DomainContext, actor: Actor, id: number): Promise<UserDetail> {
  const user = await visibleUser(ctx, actor, id);
  return { user, memberships: await membershipsSeenBy(ctx, actor, user.id) };
}

async function assertUsernameFree(ctx: DomainContext, username: string, exceptId?: number): Promise<void> {
  const existing = await ctx.store.users.findByUsername(username);
  if (existing && existing.id !== exceptId) throw conflict(`The username "${username}" is taken.`);
}

export async function createUser(ctx: DomainContext, actor: Actor, input: CreateUserInput): Promise<UserDetail> {
  if (!canUser(actor, 'administer', 0, false)) throw forbidden('Only site admins (admin user and admin scope) can create users.');
  await assertUsernameFree(ctx, input.username);
  const at = timestamp(ctx);
  const user = await ctx.store.users.create({
    username: input.username,
    email: input.email ?? null,
    first_name: input.first_name ?? '',
    last_name: input.last_name ?? '',
    is_admin: input.is_admin ?? false,
    is_active: true,
    created_at: at,
    updated_at: at,
  });
  return { user, memberships: [] };
}

export async function updateUser(ctx: DomainContext, actor: Actor, id: number, input: UpdateUserInput): Promise<UserDetail> {
  const current = await visibleUser(ctx, actor, id);
  const touchesAdminFields = adminOnlyFields.some((f) => input[f] !== undefined);
  if (!canUser(actor, touchesAdminFields ? 'administer' : 'update', id, false)) {
    throw forbidden(
      touchesAdminFields
        ? 'Only site admins can change usernames, admin rights or activation.'
        : 'You can only change your own profile.',
    );
  }
  if (input.username !== undefined) await assertUsernameFree(ctx, input.username, id);
  const demotes = (input.is_admin === false || input.is_active === false) && current.is_admin && current.is_active;
  return ctx.store.transaction(async (repos) => {
    if (demotes && (await repos.users.countActiveAdmins()) <= 1) {
      throw conflict('This is the last active admin; make another user admin first.');
    }
    const user = await repos.users.update(id, {
      ...(input.username !== undefined && { username: input.username }),
      ...(input.email !== undefined && { email: input.email }),
      ...(input.first_name !== undefined && { first_name: input.first_name }),
      ...(input.last_name !== undefined && { last_name: input.last_name }),
      ...(input.is_admin !== undefined && { is_admin: input.is_admin }),
      ...(input.is_active !== undefined && { is_active: input.is_active }),
      updated_at: timestamp(ctx),
    });
    // A deactivated user's tokens stop working at once, and stay dead if the user comes back.
    if (input.is_active === false) await repos.tokens.deleteForUser(id);
    return { user, memberships: await repos.users.memberships(id) };
  });
}

/** Deactivates a user and revokes their tokens. Their records stay, so ownership history is kept. */
export async function deactivateUser(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  await updateUser(ctx, actor, id, { is_active: false });
}
