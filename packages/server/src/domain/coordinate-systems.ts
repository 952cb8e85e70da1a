/**
 * The coordinate systems the Metadata API lists: every EPSG CRS PROJ knows (its database is the
 * reference, so the list is as current as the installed PROJ), and each workgroup's own names
 * for the ones it uses.
 */
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { invalidInput, MapshelfError, notFound } from './errors.js';
import { epsgCoordinateSystem, epsgCoordinateSystems, type CoordinateSystemEntry } from '../geo/coordinate-systems.js';
import type { Group } from './model/groups.js';
import { mayChangeKept, seesWorkgroup } from './workgroups.js';

export interface CoordinateSystemView extends CoordinateSystemEntry {
  /** The workgroup's own name for it, when asked through a workgroup. */
  alias: string | null;
}

const missingProj = () => new MapshelfError('service_unavailable', "PROJ's database (proj.db) was not found on the server; the operator should install PROJ's data (Debian: proj-data) or set PROJ_DATA.");

export function listCoordinateSystems(): CoordinateSystemView[] {
  const all = epsgCoordinateSystems();
  if (all === null) throw missingProj();
  return all.map((entry) => ({ ...entry, alias: null }));
}

function entryOf(code: number): CoordinateSystemEntry {
  const entry = epsgCoordinateSystem(code);
  if (entry === null) throw missingProj();
  if (entry === undefined) throw notFound(`Coordinate system EPSG:${code}`);
  return entry;
}

export function getCoordinateSystem(code: number): CoordinateSystemView {
  return { ...entryOf(code), alias: null };
}

/** The coordinate systems a workgroup has named, with its names. */
export async function listWorkgroupCoordinateSystems(ctx: DomainContext, actor: Actor, group: Group): Promise<CoordinateSystemView[]> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  const aliases = await ctx.store.groups.coordinateSystemAliases(group.id);
  return [...aliases].flatMap(([code, alias]) => {
    const entry = epsgCoordinateSystem(code);
    return entry ? [{ ...entry, alias }] : [];
  });
}

export async function getWorkgroupCoordinateSystem(ctx: DomainContext, actor: Actor, group: Group, code: number): Promise<CoordinateSystemView> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  const entry = entryOf(code);
  return { ...entry, alias: (await ctx.store.groups.coordinateSystemAliases(group.id)).get(code) ?? null };
}

export async function putCoordinateSystemAlias(ctx: DomainContext, actor: Actor, group: Group, code: number, alias: string): Promise<CoordinateSystemView> {
  mayChangeKept(actor, group, 'coordinate systems');
  const entry = entryOf(code);
  const name = alias.trim();
  if (name === '' || name.length > 200) throw invalidInput('alias', 'must be 1 to 200 characters');
  await ctx.store.groups.putCoordinateSystemAlias(group.id, code, name, timestamp(ctx));
  return { ...entry, alias: name };
}

export async function deleteCoordinateSystemAlias(ctx: DomainContext, actor: Actor, group: Group, code: number): Promise<void> {
  mayChangeKept(actor, group, 'coordinate systems');
  if (!(await ctx.store.groups.deleteCoordinateSystemAlias(group.id, code))) throw notFound(`An alias of EPSG:${code} in workgroup ${group.uid}`);
}
