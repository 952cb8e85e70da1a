import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import {
  applicationGroups,
  associateApplication,
  createApplication,
  deleteApplication,
  dissociateApplication,
  getApplication,
  listApplications,
  listGroupApplications,
  updateApplication,
  type ApplicationInput,
} from '../../../domain/applications.js';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import type { Application } from '../../../domain/model/applications.js';
import { commonQuery, uidParams, uidSchema } from '../conventions/params.js';
import { presentApplication } from './presenter.js';

const tags = ['applications'];

const nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/** An Application as the SDK sends it (`application.create` and `update` send `to_dict()`): the read-only keys are accepted and ignored. */
const applicationFields = {
    _abilities: Type.Optional(Type.Unknown()),
    _created: Type.Optional(Type.Unknown()),
    _id: Type.Optional(Type.Unknown()),
    _modified: Type.Optional(Type.Unknown()),
    client_id: Type.Optional(Type.Unknown()),
    client_secret: Type.Optional(Type.Unknown()),
    groups: Type.Optional(Type.Unknown()),
    staff: Type.Optional(Type.Unknown()),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(Type.Union([Type.Literal('group'), Type.Literal('user')])),
    kind: nullable(Type.Union([Type.Literal('public'), Type.Literal('confidential')])),
    url: nullable(Type.String({ maxLength: 2000 })),
    redirect_uris: nullable(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 20 })),
    scopes: nullable(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
    canHaveManyGroups: nullable(Type.Boolean()),
};
const ApplicationBody = Type.Object(applicationFields, { additionalProperties: false });
const ApplicationCreateBody = Type.Object(
  { ...applicationFields, name: Type.String({ minLength: 1, maxLength: 200 }), type: Type.Union([Type.Literal('group'), Type.Literal('user')]) },
  { additionalProperties: false },
);

function inputOf(body: Static<typeof ApplicationBody>): Partial<ApplicationInput> {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.type !== undefined && { type: body.type }),
    ...(body.kind != null && { kind: body.kind }),
    ...(body.url !== undefined && { url: body.url }),
    ...(body.redirect_uris != null && { redirect_uris: body.redirect_uris }),
    ...(body.scopes != null && { scopes: body.scopes }),
    ...(body.canHaveManyGroups != null && { can_have_many_groups: body.canHaveManyGroups }),
  };
}

const groupParams = Type.Object({ id: uidSchema, wg: uidSchema });

/** OAuth2 clients: `applications/`, and their workgroups. */
export function registerApplicationRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const present = async (application: Application, secret?: string) => presentApplication(application, await applicationGroups(ctx, application), secret);
  const presentAll = (applications: Application[]) => Promise.all(applications.map((a) => present(a)));

  app.get('/applications/', { schema: { summary: 'The applications you may see (site admins: all)', tags, querystring: commonQuery } }, async (request) =>
    presentAll(await listApplications(ctx, request.actor)),
  );

  app.post(
    '/applications/',
    { config: { scope: 'admin' }, schema: { summary: 'Create an application (site admins); its client_secret is shown only in this answer', tags, querystring: commonQuery, body: ApplicationCreateBody } },
    async (request, reply) => {
      const { name, type } = request.body;
      const { application, clientSecret } = await createApplication(ctx, request.actor, { ...inputOf(request.body), name, type });
      reply.code(201);
      return present(application, clientSecret);
    },
  );

  app.get('/applications/:id/', { schema: { summary: 'An application', tags, params: uidParams, querystring: commonQuery } }, async (request) =>
    present(await getApplication(ctx, request.actor, request.params.id)),
  );

  app.put(
    '/applications/:id/',
    { config: { scope: 'admin' }, schema: { summary: 'Change an application (site admins)', tags, params: uidParams, querystring: commonQuery, body: ApplicationBody } },
    async (request) => present(await updateApplication(ctx, request.actor, request.params.id, inputOf(request.body))),
  );

  app.delete(
    '/applications/:id/',
    { config: { scope: 'admin' }, schema: { summary: 'Delete an application and its tokens (site admins)', tags, params: uidParams, querystring: commonQuery } },
    async (request, reply) => {
      await deleteApplication(ctx, request.actor, request.params.id);
      return reply.code(204).send();
    },
  );

  app.put(
    '/applications/:id/groups/:wg/',
    { config: { scope: 'resources:write' }, schema: { summary: "Add a group application to a workgroup (site admins, the workgroup's admins)", tags, params: groupParams, querystring: commonQuery } },
    async (request) => {
      await associateApplication(ctx, request.actor, request.params.id, await groupByUid(ctx, request.params.wg));
      return present(await getApplication(ctx, request.actor, request.params.id));
    },
  );

  app.delete(
    '/applications/:id/groups/:wg/',
    { config: { scope: 'resources:write' }, schema: { summary: 'Remove an application from a workgroup', tags, params: groupParams, querystring: commonQuery } },
    async (request, reply) => {
      await dissociateApplication(ctx, request.actor, request.params.id, await groupByUid(ctx, request.params.wg));
      return reply.code(204).send();
    },
  );

  app.get(
    '/groups/:wg/applications/',
    { schema: { summary: "A workgroup's applications, for its members", tags, params: Type.Object({ wg: uidSchema }), querystring: commonQuery } },
    async (request) => presentAll(await listGroupApplications(ctx, request.actor, await groupByUid(ctx, request.params.wg))),
  );
}
