import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import type { ListSpec } from '../../../domain/list-query.js';
import { cancelPublish, createPublish, getPublish, listPublish, publishDetail } from '../../../domain/publishing.js';
import type { PublishItemRef } from '../../../domain/model/publish.js';
import { registerListView } from '../../common/list-view.js';
import { idParams, presentContext, sendCreated } from '../../common/present.js';
import { idFromRef, localPath } from '../../common/refs.js';
import { apiPath, type UrlFor } from '../../common/urls.js';
import { presentPublish, presentPublishSummary } from './presenter.js';

const publishListSpec: ListSpec = {
  name: 'publish requests',
  description: 'Your publish requests (site admins: all), newest first.',
  filters: {
    state: { type: 'enum', values: ['pending', 'publishing', 'completed', 'error', 'cancelled'], description: 'State' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When it was made' },
  },
  orderings: ['id', 'created_at', 'publish_at'],
  defaultOrdering: ['-id'],
  expansions: ['list'],
};

const strategy = Type.Union([Type.Literal('together'), Type.Literal('individual')]);

const PublishBody = Type.Object(
  {
    items: Type.Array(Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 })]), { minItems: 1, maxItems: 1000 }),
    publish_strategy: Type.Optional(strategy),
    // The Python client sends the attribute under its own name, `strategy`.
    strategy: Type.Optional(strategy),
    error_strategy: Type.Optional(Type.Union([Type.Literal('abort'), Type.Literal('ignore')])),
    publish_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false },
);

const tags = ['publishing'];
// Publish requests hold layer, table and set versions; the domain checks each item's own scope.
const readScopes = ['layers:read', 'sets:read'] as const;
const writeScopes = ['layers:write', 'sets:write'] as const;

/** A set version URL, or a layer or table version given by URL or id. */
function publishItemRef(ref: string | number, location: string, urlFor: UrlFor): PublishItemRef {
  const setVersion = typeof ref === 'string' ? /\/sets\/\d+\/versions\/(\d+)\/?$/.exec(localPath(ref, location, urlFor)) : null;
  return setVersion ? { kind: 'set-version', id: Number(setVersion[1]) } : { kind: 'version', id: idFromRef(ref, 'versions', location, urlFor) };
}

export function registerPublishRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = apiPath('publish');
  const one = `${list}:id/`;

  registerListView(app, {
    url: list,
    spec: publishListSpec,
    scope: readScopes,
    tags,
    list: (actor, query) => listPublish(ctx, actor, query),
    summary: presentPublishSummary,
    full: async (row, pc) => presentPublish(await publishDetail(ctx, row), pc),
  });

  app.post(
    list,
    { config: { scope: writeScopes }, schema: { summary: 'Publish versions together or individually, now or at publish_at', tags, body: PublishBody } },
    async (request, reply) => {
      const body = request.body;
      const detail = await createPublish(ctx, request.actor, {
        items: body.items.map((item, i) => publishItemRef(item, `body.items[${i}]`, request.urlFor)),
        publish_strategy: body.publish_strategy ?? body.strategy ?? 'together',
        error_strategy: body.error_strategy ?? 'abort',
        publish_at: body.publish_at ?? null,
      });
      return sendCreated(reply, presentPublish(detail, presentContext(request)));
    },
  );

  app.get(one, { config: { scope: readScopes }, schema: { summary: 'Get a publish request', tags, params: idParams } }, async (request) =>
    presentPublish(await getPublish(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.delete(one, { config: { scope: writeScopes }, schema: { summary: 'Cancel a pending publish request', tags, params: idParams } }, async (request, reply) => {
    await cancelPublish(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });
}
