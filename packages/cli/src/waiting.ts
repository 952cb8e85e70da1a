import type { Layer, Publish } from '@mapshelf/sdk';
import type { Context } from './context.js';
import { ExitCode } from './exit-codes.js';
import { UserError } from './output.js';

/**
 * Waits for a layer version's import with a progress bar, ending it on the summary `done` gives.
 * A failed import becomes a failure line with the server's reason and `hint` after it.
 */
export async function waitForImportShown(ctx: Context, layer: Layer, done: (imported: Layer) => string, hint = ''): Promise<Layer> {
  const importing = ctx.progress(`Importing ${layer.title}`, 'fraction');
  let imported: Layer;
  try {
    imported = await layer.waitForImport({ onProgress: (fraction) => importing.update(fraction) });
  } catch (error) {
    importing.stop();
    throw new UserError(`${(error as Error).message}${hint}`, ExitCode.failure);
  }
  importing.done(done(imported));
  return imported;
}

/** Sends a publish request and waits until it has ended; a request that did not complete is a failure naming `what`. */
export async function publishAndWait(ctx: Context, request: Publish, what: string): Promise<void> {
  const ended = await (await ctx.client.publishing.create(request)).waitUntilDone();
  if (ended.state !== 'completed') throw new UserError(`Publishing ${what} ended ${ended.state}: ${ended.error ?? 'no reason given'}.`, ExitCode.failure);
}
