import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import { answerInvitation, createInvitation, deleteInvitation, getInvitation, listInvitations, updateInvitation } from '../../../domain/invitations.js';
import type { Group } from '../../../domain/model/groups.js';
import type { Invitation } from '../../../domain/model/invitations.js';
import { commonQuery, uidParams, uidSchema } from '../conventions/params.js';
import { wireRole, wireRoles, wireTimestamp } from '../conventions/wire.js';
import { workgroupRef } from '../workgroups/presenter.js';

const tags = ['invitations'];

/** Isogeo's Invitation: the address, the role in Isogeo's names, the workgroup, and the days it still waits. */
function presentInvitation(invitation: Invitation, group: Group, now: Date) {
  return {
    _created: wireTimestamp(invitation.created_at),
    _id: invitation.uid,
    _modified: wireTimestamp(invitation.updated_at),
    email: invitation.email,
    expiresIn: Math.max(0, Math.ceil((Date.parse(invitation.expires_at) - now.getTime()) / 86_400_000)),
    group: workgroupRef(group),
    role: wireRole(invitation.role),
  };
}

/** Isogeo's role names onto Mapshelf's: a reader is a viewer. */
const domainRoles = new Map(Object.entries(wireRoles).map(([mapshelf, isogeo]) => [isogeo, mapshelf]));
const RoleSchema = Type.Union([...domainRoles.keys()].map((role) => Type.Literal(role)));

/** An invitation's form (or JSON) body. */
const InvitationBody = Type.Object({ email: Type.String({ maxLength: 254 }), role: RoleSchema }, { additionalProperties: false });
const RoleBody = Type.Object(
  { role: RoleSchema, ...Object.fromEntries(['_created', '_id', '_modified', 'email', 'expiresIn', 'group'].map((key) => [key, Type.Optional(Type.Unknown())])) },
  { additionalProperties: false },
);

/** Invitations to workgroups: made by their admins, answered by the invited user. */
export function registerInvitationRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const wgParams = Type.Object({ wg: uidSchema });
  const write = { scope: 'resources:write' } as const;

  app.get('/groups/:wg/invitations/', { schema: { summary: "A workgroup's invitations (its admins)", tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await groupByUid(ctx, request.params.wg);
    return (await listInvitations(ctx, request.actor, group)).map((invitation) => presentInvitation(invitation, group, ctx.now()));
  });

  app.post(
    '/groups/:wg/invitations/',
    { config: write, schema: { summary: 'Invite an email address to a workgroup, as admin, editor or reader (its admins)', tags, params: wgParams, querystring: commonQuery, body: InvitationBody } },
    async (request, reply) => {
      const group = await groupByUid(ctx, request.params.wg);
      const invitation = await createInvitation(ctx, request.actor, group, { email: request.body.email, role: domainRoles.get(request.body.role)! });
      reply.code(201);
      return presentInvitation(invitation, group, ctx.now());
    },
  );

  app.get('/invitations/:id/', { schema: { summary: 'An invitation (its workgroup\'s admins, and the invited user)', tags, params: uidParams, querystring: commonQuery } }, async (request) => {
    const { item, group } = await getInvitation(ctx, request.actor, request.params.id);
    return presentInvitation(item, group, ctx.now());
  });

  app.put('/invitations/:id/', { config: write, schema: { summary: "Change an invitation's role", tags, params: uidParams, querystring: commonQuery, body: RoleBody } }, async (request) => {
    const { item, group } = await updateInvitation(ctx, request.actor, request.params.id, { role: domainRoles.get(request.body.role)! });
    return presentInvitation(item, group, ctx.now());
  });

  app.delete('/invitations/:id/', { config: write, schema: { summary: 'Withdraw an invitation', tags, params: uidParams, querystring: commonQuery } }, async (request, reply) => {
    await deleteInvitation(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });

  for (const answer of ['accept', 'refuse'] as const) {
    app.post(
      `/invitations/:id/${answer}/`,
      // A user's answer, through a user application: a group application's read-only token never answers.
      { config: write, schema: { summary: answer === 'accept' ? 'Accept an invitation: join its workgroup in its role' : 'Refuse an invitation', tags, params: uidParams, querystring: commonQuery } },
      async (request, reply) => {
        const { item } = await getInvitation(ctx, request.actor, request.params.id);
        const group = await answerInvitation(ctx, request.actor, request.params.id, answer === 'accept');
        if (answer === 'refuse') return reply.code(204).send();
        return { role: wireRole(item.role), group: { _id: group.uid, contact: { name: group.name } } };
      },
    );
  }
}
