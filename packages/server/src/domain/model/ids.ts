/**
 * The largest integer id any store hands out: ids are 32-bit (`integer` on PostgreSQL), so a
 * larger one can name nothing and is refused as input rather than sent to the database.
 */
export const maxId = 2_147_483_647;
