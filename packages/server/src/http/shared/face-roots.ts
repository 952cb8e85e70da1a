/**
 * Where each face is mounted, for the faces that link to another's URLs (a Data API version's
 * ISO document names its record's hosted files, which the Metadata API serves).
 */
export const metadataRoot = '/metadata/v1';
