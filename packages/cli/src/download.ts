import { existsSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExportJob } from '@mapshelf/sdk';
import type { Context } from './context.js';
import { ExitCode } from './exit-codes.js';
import { describeFailure } from './failure.js';
import { formatBytes } from './format.js';
import { shellCommand } from './invocation.js';
import { UserError } from './output.js';

export function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Where an export's zip goes: into a folder as `{name}.zip`, or to the file path given. */
function downloadTarget(job: ExportJob, output: string): string {
  return isFolder(output) ? join(resolve(output), `${job.name}.zip`) : resolve(output);
}

/** Downloads never overwrite a file unless told to. */
export function refuseExisting(file: string, force?: boolean): void {
  if (existsSync(file) && !force) throw new UserError(`${file} already exists. Remove it, give another -o, or add --force.`, ExitCode.usage);
}

/**
 * Downloads a complete export with a progress bar. Bytes land in `{file}.part`, renamed when
 * whole, so an interrupted download is never mistaken for a finished one, and running the same
 * command again resumes it with a Range request.
 */
export async function downloadExport(ctx: Context, job: ExportJob, output: string, options: { force?: boolean } = {}): Promise<{ file: string; size: number }> {
  const file = downloadTarget(job, output);
  refuseExisting(file, options.force);
  const partial = `${file}.part`;
  const resuming = existsSync(partial);
  if (resuming) ctx.note(`Resuming the download in ${partial} from ${formatBytes(statSync(partial).size)}.`);
  const progress = ctx.progress(`Downloading ${job.name}.zip`, 'bytes');
  const interrupted = () => {
    progress.stop();
    ctx.io.stderr.write(`mapshelf: interrupted. Run \`${shellCommand(`exports download ${job.id} -o ${output}`)}\` to resume.\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    await job.download(partial, { resume: resuming, onProgress: (received, total) => progress.update(received, total) });
  } catch (error) {
    const kept = existsSync(partial) ? statSync(partial).size : 0;
    if (!kept) throw error;
    const failure = describeFailure(error, ctx.connection.url);
    throw new UserError(`${failure.message} The ${formatBytes(kept)} received so far are kept: run \`${shellCommand(`exports download ${job.id} -o ${output}`)}\` to resume.`, failure.exitCode);
  } finally {
    process.removeListener('SIGINT', interrupted);
  }
  renameSync(partial, file);
  const size = statSync(file).size;
  progress.done(`Downloaded ${file} (${formatBytes(size)}).`);
  return { file, size };
}
