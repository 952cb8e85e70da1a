/** The CLI's exit codes, named once. */
export const ExitCode = {
  ok: 0,
  /** Something failed while running. */
  failure: 1,
  /** The command line itself is wrong: an unknown flag, a bad value. */
  usage: 2,
  /** Configuration could not be used: unreadable TLS files, a bad URL. */
  config: 3,
} as const;
