import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { getUserAccount, listUserAccounts, updateUserAccount } from '../../../domain/accounts.js';
import type { DomainContext } from '../../../domain/context.js';
import { accountInput, AccountBody } from '../account/routes.js';
import { commonQuery, includesOf, pagedQuery, uidParams } from '../conventions/params.js';
import { presentUser, userIncludes } from './presenter.js';

const tags = ['users'];

/** Users by `_id`: site admins read and change anyone (a password without the current one), others only themselves. */
export function registerUserRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/users/', { config: { scope: 'admin' }, schema: { summary: 'Every user, by username, 100 at most a page (site admins)', tags, querystring: pagedQuery } }, async (request) =>
    (await listUserAccounts(ctx, request.actor, { offset: request.query._offset ?? 0, limit: request.query._limit ?? 100 })).map((view) => presentUser(view, includesOf(request, userIncludes))),
  );

  app.get('/users/:id/', { schema: { summary: 'A user', tags, params: uidParams, querystring: commonQuery } }, async (request) =>
    presentUser(await getUserAccount(ctx, request.actor, request.params.id), includesOf(request, userIncludes)),
  );

  app.put(
    '/users/:id/',
    { config: { scope: 'admin' }, schema: { summary: "Change a user's account, their password included (site admins)", tags, params: uidParams, querystring: commonQuery, body: AccountBody } },
    async (request) => presentUser(await updateUserAccount(ctx, request.actor, request.params.id, accountInput(request.body)), includesOf(request, userIncludes)),
  );
}
