import { Layer, NotFound } from '@mapshelf/sdk';
import { parseId } from './command.js';
import { ExitCode } from './exit-codes.js';
import { shellCommand } from './invocation.js';
import { UserError } from './output.js';
import type { Context } from './context.js';

/**
 * A layer or table named on the command line: by URL (of the layer, the table or one of their
 * versions), or by id. Layers and tables share their ids, so an id that is no layer is tried as a table.
 */
export async function resolveDataItem(ctx: Context, ref: string): Promise<Layer> {
  if (/^https?:\/\//i.test(ref)) return new Layer(await ctx.client.json<Record<string, unknown>>('GET', ref));
  const id = parseId(ref, 'A layer or table id');
  try {
    return await ctx.client.layers.get(id);
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    return ctx.client.tables.get(id).catch((second: unknown) => {
      if (second instanceof NotFound) throw new UserError(`No layer or table you can see has id ${id}. Find ids with \`${shellCommand('search')}\` or \`${shellCommand('layers list')}\`.`, ExitCode.notFound);
      throw second;
    });
  }
}
