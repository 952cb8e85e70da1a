import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainContext } from '../../../domain/context.js';
import { createToken, getToken, listTokens, revokeToken } from '../../../domain/tokens.js';
import { registerListView } from '../conventions/list-view.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import { presentToken, presentTokenSummary } from './presenter.js';
import { TokenCreateBody, tokensListSpec } from './schema.js';

const tags = ['tokens'];

export function registerTokenRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/tokens/';
  const one = `${list}:id/`;

  registerListView(app, {
    url: list,
    spec: tokensListSpec,
    scope: 'tokens:read',
    tags,
    list: (actor, query) => listTokens(ctx, actor, query),
    summary: presentTokenSummary,
    full: presentToken,
  });

  app.post(
    list,
    {
      config: { scope: 'tokens:write' },
      schema: {
        summary: 'Create a token. The answer holds the secret, in `key`, this once only.',
        tags,
        body: TokenCreateBody,
      },
    },
    async (request, reply) => {
      const { row, key } = await createToken(ctx, request.actor, request.body);
      return sendCreated(reply, { ...presentToken(row, presentContext(request)), key });
    },
  );

  app.get(
    one,
    { config: { scope: 'tokens:read' }, schema: { summary: 'Get a token (never its secret)', tags, params: idParams } },
    async (request) => presentToken(await getToken(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.delete(
    one,
    { config: { scope: 'tokens:write' }, schema: { summary: 'Revoke a token', tags, params: idParams } },
    async (request, reply) => {
      await revokeToken(ctx, request.actor, request.params.id);
      return reply.code(204).send();
    },
  );
}
