/**
 * @mapshelf/sdk: the TypeScript client for Mapshelf's Koordinates-compatible Data API.
 * The client itself arrives with the SDK issue; this package exists now so the workspace,
 * build and CLI wiring are in place.
 */
export const apiBasePath = '/services/api/v1/';
