import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainContext } from '../../../domain/context.js';
import { membershipsSeenBy } from '../../../domain/groups.js';
import { createUser, deactivateUser, getUser, listUsers, updateUser } from '../../../domain/users.js';
import { registerListView } from '../conventions/list-view.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import { presentUser, presentUserSummary } from './presenter.js';
import { UserCreateBody, UserUpdateBody, usersListSpec } from './schema.js';

const tags = ['users'];

export function registerUserRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/users/';
  const one = `${list}:id/`;
  const currentUserId = (request: FastifyRequest) => (request.actor.kind === 'user' ? request.actor.user.id : 0);

  registerListView(app, {
    url: list,
    spec: usersListSpec,
    scope: 'users:read',
    tags,
    list: (actor, query) => listUsers(ctx, actor, query),
    summary: presentUserSummary,
    full: async (user, pc, request) => presentUser({ user, memberships: await membershipsSeenBy(ctx, request.actor, user.id) }, pc),
  });

  app.post(
    list,
    { config: { scope: 'users:write' }, schema: { summary: 'Create a user (site admins)', tags, body: UserCreateBody } },
    async (request, reply) => sendCreated(reply, presentUser(await createUser(ctx, request.actor, request.body), presentContext(request))),
  );

  app.get(
    `${list}me/`,
    { config: { scope: 'users:read' }, schema: { summary: 'The user that owns the token', tags } },
    async (request) => presentUser(await getUser(ctx, request.actor, currentUserId(request)), presentContext(request)),
  );

  app.get(
    one,
    { config: { scope: 'users:read' }, schema: { summary: 'Get a user', tags, params: idParams } },
    async (request) => presentUser(await getUser(ctx, request.actor, request.params.id), presentContext(request)),
  );

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method,
      url: one,
      config: { scope: 'users:write' },
      schema: { summary: 'Update a user (your own profile; admins: anyone)', tags, params: idParams, body: UserUpdateBody },
      handler: async (request) =>
        presentUser(await updateUser(ctx, request.actor, request.params.id, request.body), presentContext(request)),
    });
  }

  app.delete(
    one,
    { config: { scope: 'users:write' }, schema: { summary: 'Deactivate a user and revoke their tokens (site admins)', tags, params: idParams } },
    async (request, reply) => {
      await deactivateUser(ctx, request.actor, request.params.id);
      return reply.code(204).send();
    },
  );
}
