import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema, type Static } from 'typebox';
import type { Actor } from '../../../domain/actor.js';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import type { Group } from '../../../domain/model/groups.js';
import { editsWorkgroup } from '../../../domain/workgroups.js';
import { commonQuery, includesOf, uidParams, uidSchema } from './params.js';

/** One kind of thing a workgroup keeps (contacts, specifications, …): its domain calls and its wire form. */
export interface WorkgroupCollection<T, B extends TSchema, I> {
  /** The path segment: `contacts` gives `groups/{wg}/contacts/` and `contacts/{id}/`. */
  path: string;
  /** Singular, for summaries: `contact`. */
  noun: string;
  body: B;
  /** The body (JSON, or a form where the SDK sends one) as the domain's input. */
  input(body: Static<B>): I;
  includes: readonly string[];
  /** `group` is null for what no workgroup owns (the site's licences). */
  present(item: T, group: Group | null, options: { include: ReadonlySet<string>; canEdit: boolean }): unknown;
  list(ctx: DomainContext, actor: Actor, group: Group): Promise<T[]>;
  get(ctx: DomainContext, actor: Actor, uid: string): Promise<{ item: T; group: Group | null }>;
  create(ctx: DomainContext, actor: Actor, group: Group, input: I): Promise<T>;
  update(ctx: DomainContext, actor: Actor, group: Group, uid: string, input: I): Promise<T>;
  remove(ctx: DomainContext, actor: Actor, group: Group, uid: string): Promise<void>;
}

const wgParams = Type.Object({ wg: uidSchema });
const oneParams = Type.Object({ wg: uidSchema, id: uidSchema });

/**
 * The routes of one kind of thing a workgroup keeps, written once: list and create under
 * `groups/{wg}/…/`, read by `…/{id}/`, change and delete under `groups/{wg}/…/{id}/`.
 */
export function registerWorkgroupCollection<T, B extends TSchema, I>(base: FastifyInstance, ctx: DomainContext, kind: WorkgroupCollection<T, B, I>): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [kind.path];
  const present = (request: FastifyRequest, item: T, group: Group | null) =>
    kind.present(item, group, { include: includesOf(request, kind.includes), canEdit: group !== null && editsWorkgroup(request.actor, group) });
  const write = { scope: 'resources:write' } as const;

  app.get(`/groups/:wg/${kind.path}/`, { schema: { summary: `A workgroup's ${kind.path}`, tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await groupByUid(ctx, request.params.wg);
    return (await kind.list(ctx, request.actor, group)).map((item) => present(request, item, group));
  });

  app.post(
    `/groups/:wg/${kind.path}/`,
    { config: write, schema: { summary: `Add a ${kind.noun} to a workgroup (its admins and editors)`, tags, params: wgParams, querystring: commonQuery, body: kind.body } },
    async (request, reply) => {
      const group = await groupByUid(ctx, request.params.wg);
      const item = await kind.create(ctx, request.actor, group, kind.input(request.body as Static<B>));
      reply.code(201);
      return present(request, item, group);
    },
  );

  app.get(`/${kind.path}/:id/`, { schema: { summary: `A ${kind.noun}`, tags, params: uidParams, querystring: commonQuery } }, async (request) => {
    const { item, group } = await kind.get(ctx, request.actor, request.params.id);
    return present(request, item, group);
  });

  app.put(
    `/groups/:wg/${kind.path}/:id/`,
    { config: write, schema: { summary: `Change a ${kind.noun}`, tags, params: oneParams, querystring: commonQuery, body: kind.body } },
    async (request) => {
      const group = await groupByUid(ctx, request.params.wg);
      return present(request, await kind.update(ctx, request.actor, group, request.params.id, kind.input(request.body as Static<B>)), group);
    },
  );

  app.delete(
    `/groups/:wg/${kind.path}/:id/`,
    { config: write, schema: { summary: `Delete a ${kind.noun}`, tags, params: oneParams, querystring: commonQuery } },
    async (request, reply) => {
      await kind.remove(ctx, request.actor, await groupByUid(ctx, request.params.wg), request.params.id);
      return reply.code(204).send();
    },
  );
}
