import type { DomainContext } from '../../domain/context.js';
import { failImport, performImport } from '../../domain/importing.js';
import { importJobKind } from '../../domain/layers.js';
import type { JobKind } from '../job-kind.js';

/** Imports a version's datasource into its GeoPackage. */
export function importVersionJob(ctx: DomainContext): JobKind<{ versionId: number }> {
  return {
    name: importJobKind,
    maxAttempts: 3,
    scratchLabel: ({ versionId }) => `import-${versionId}`,
    perform: ({ versionId }, job) => performImport(ctx, versionId, job.signal, job.scratch),
    onFailure: ({ versionId }, message, cancelled) => failImport(ctx, versionId, message, cancelled),
  };
}
