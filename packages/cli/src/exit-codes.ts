/** The CLI's exit codes, named once. */
export const ExitCode = {
  ok: 0,
  /** Something failed while running: an import, an export, a conflict. */
  failure: 1,
  /** The command line or its input is wrong: an unknown flag, a bad value, a request the server refused as invalid. */
  usage: 2,
  /** Configuration could not be used: no server configured, an unreadable profile or TLS file. */
  config: 3,
  /** The server refused the token: missing, expired, revoked, or without the needed scope or permission. */
  auth: 4,
  /** What the command names does not exist, or you may not see it. */
  notFound: 5,
  /** The server could not be reached, timed out, or is unavailable. */
  unavailable: 6,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
