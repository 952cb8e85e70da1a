import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import type { Group } from '../../../domain/model/groups.js';
import type { Specification } from '../../../domain/model/specifications.js';
import { createSpecification, deleteSpecification, getSpecification, listSpecifications, updateSpecification, type SpecificationInput } from '../../../domain/specifications.js';
import { registerWorkgroupCollection, type PresentOptions } from '../conventions/workgroup-collection.js';
import { workgroupRef } from '../workgroups/presenter.js';
import { recordsNaming } from '../../../domain/record-parts.js';

/** Isogeo's Specification, its keys only. */
export function presentSpecification(specification: Specification, group: Group, options: PresentOptions) {
  return {
    ...(options.include.has('_abilities') && { _abilities: options.canEdit ? ['specification:update', 'specification:delete'] : [] }),
    ...(options.count !== undefined && { count: options.count }),
    _id: specification.uid,
    _tag: `specification:${group.uid}:${specification.uid}`,
    link: specification.link,
    name: specification.name,
    owner: workgroupRef(group),
    published: specification.published,
  };
}

const text = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

/** `specification.create` posts a form (link, name, published); an update may send the Specification back as JSON. */
const SpecificationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    link: text(2000),
    published: text(40),
    ...Object.fromEntries(['_abilities', '_id', '_tag', 'count', 'owner'].map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

function inputOf(body: Static<typeof SpecificationBody>): SpecificationInput {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.link !== undefined && { link: body.link }),
    ...(body.published !== undefined && { published: body.published }),
  };
}

/** Workgroups' specifications: `groups/{wg}/specifications/`, and `specifications/{id}/`. */
export function registerSpecificationRoutes(app: FastifyInstance, ctx: DomainContext): void {
  registerWorkgroupCollection(app, ctx, {
    path: 'specifications',
    noun: 'specification',
    body: SpecificationBody,
    input: inputOf,
    // `count`: the workgroup's records stating conformity to it.
    includes: ['_abilities', 'count'],
    counts: (context, group, items) => recordsNaming(context, group, 'conformity', items.map((item) => item.uid)),
    present: presentSpecification,
    list: listSpecifications,
    get: getSpecification,
    create: createSpecification,
    update: updateSpecification,
    remove: deleteSpecification,
  });
}
