/**
 * The formats records name (`format`): data formats Mapshelf reads and writes, and services,
 * seeded and kept by site admins. Anyone signed in reads them.
 */
import { isSiteAdmin, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { conflict, forbidden, invalidInput, notFound } from './errors.js';
import type { Format, FormatPatch, FormatType } from './model/formats.js';

export const formatTypes = ['dataset', 'service', 'resource'] as const satisfies readonly FormatType[];

export interface FormatInput {
  code?: string;
  name?: string;
  type?: string;
  aliases?: unknown;
  versions?: unknown;
}

export const isFormatType = (segment: string): segment is FormatType => (formatTypes as readonly string[]).includes(segment);

export async function listFormats(ctx: DomainContext, type?: FormatType): Promise<Format[]> {
  return ctx.store.formats.list(type);
}

export async function getFormat(ctx: DomainContext, code: string): Promise<Format> {
  const format = await ctx.store.formats.findByCode(code);
  if (!format) throw notFound(`Format ${code}`);
  return format;
}

const texts = (field: string, value: unknown): string[] => {
  const list = value == null ? [] : Array.isArray(value) ? value : [value];
  if (list.length > 50 || list.some((item) => typeof item !== 'string' || item.trim() === '' || item.length > 100)) throw invalidInput(field, 'must be a list of at most 50 texts of 1 to 100 characters');
  return [...new Set((list as string[]).map((item) => item.trim()))];
};

function checkType(type: unknown): FormatType {
  if (typeof type !== 'string' || !isFormatType(type)) throw invalidInput('type', `must be one of ${formatTypes.join(', ')}`);
  return type;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw invalidInput('name', 'is required: 1 to 200 characters');
  return name.trim();
}

function siteAdminOnly(actor: Actor): void {
  if (!isSiteAdmin(actor)) throw forbidden('Only site admins (an admin user, with the admin scope) keep the list of formats.');
}

export async function createFormat(ctx: DomainContext, actor: Actor, input: FormatInput): Promise<Format> {
  siteAdminOnly(actor);
  const code = typeof input.code === 'string' ? input.code.trim().toLowerCase() : '';
  if (!/^[a-z0-9][a-z0-9._-]{0,49}$/.test(code)) throw invalidInput('code', 'is required: 1 to 50 lower-case letters, digits, ., - and _');
  // A type names the list of its formats in the same place (`formats/{type}/`).
  if (isFormatType(code)) throw invalidInput('code', `can't be ${code}: formats/${code}/ lists the formats of that type`);
  if (await ctx.store.formats.findByCode(code)) throw conflict(`A format with the code ${code} exists already.`);
  const at = timestamp(ctx);
  return ctx.store.formats.create({ code, name: checkName(input.name), type: checkType(input.type), aliases: texts('aliases', input.aliases), versions: texts('versions', input.versions), created_at: at, updated_at: at });
}

export async function updateFormat(ctx: DomainContext, actor: Actor, code: string, input: FormatInput): Promise<Format> {
  siteAdminOnly(actor);
  const format = await getFormat(ctx, code);
  if (input.code !== undefined && input.code !== format.code) throw invalidInput('code', `is ${format.code}: a format keeps its code`);
  const patch: FormatPatch = { updated_at: timestamp(ctx) };
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.type !== undefined) patch.type = checkType(input.type);
  if (input.aliases !== undefined) patch.aliases = texts('aliases', input.aliases);
  if (input.versions !== undefined) patch.versions = texts('versions', input.versions);
  return ctx.store.formats.update(format.id, patch);
}

export async function deleteFormat(ctx: DomainContext, actor: Actor, code: string): Promise<void> {
  siteAdminOnly(actor);
  await ctx.store.formats.delete((await getFormat(ctx, code)).id);
}
