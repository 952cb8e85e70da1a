import { Client } from '@mapshelf/sdk';
import { ExitCode } from './exit-codes.js';
import { describeFailure } from './failure.js';
import { shellCommand } from './invocation.js';
import { render, UserError, type CommandResult, type OutputMode } from './output.js';
import { defaultProfile, loadProfile } from './profiles.js';
import { createProgress, type Progress, type ProgressUnit } from './progress.js';
import { cliVersion } from './version.js';

/** The flags every command that talks to a server takes, plus the output flags. */
export interface GlobalOptions {
  profile?: string;
  url?: string;
  token?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

/** Where the CLI writes, and what it reads its settings from; tests and the program pass the process's. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Which server, with which token, and where that came from (for messages). */
export interface Connection {
  url: string;
  token: string | undefined;
  /** The profile it came from, if any. */
  profile: string | undefined;
}

/**
 * `data.example.org` → `https://data.example.org`, but `localhost:8080` → `http://localhost:8080`
 * (a local server rarely has TLS); an API URL pasted whole loses its path.
 */
export function normalizeServerUrl(raw: string): string {
  const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/i.test(raw);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${local ? 'http' : 'https'}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserError(`"${raw}" is not a server URL; give one like https://data.example.org or http://localhost:8080.`, ExitCode.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`"${raw}" is not an http(s) URL.`, ExitCode.usage);
  const path = url.pathname.replace(/\/services\/api\/v1\/?.*$/, '').replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

/**
 * What one command run works with: its options, the connection (flags, then environment, then the
 * saved profile), the SDK client built from it, and the output and progress displays.
 */
export class Context {
  readonly mode: OutputMode;
  /** Bars and in-place redraws only on a terminal; pipes get plain lines and no escape codes. */
  readonly interactive: boolean;
  private resolved: Connection | undefined;
  private sdk: Client | undefined;
  private readonly progressShown = new Set<Progress>();

  constructor(
    readonly options: GlobalOptions,
    readonly io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  ) {
    this.mode = options.json ? 'json' : options.quiet ? 'quiet' : 'text';
    this.interactive = Boolean(io.stdout.isTTY && io.stderr.isTTY);
  }

  /** An environment variable; an empty one counts as unset, as `VAR= mapshelf …` means to unset it. */
  setting(name: string): string | undefined {
    return this.io.env[name] || undefined;
  }

  /** The profile this run reads and `login` writes: `--profile`, MAPSHELF_PROFILE, or "default". */
  get profileName(): string {
    return this.options.profile ?? this.setting('MAPSHELF_PROFILE') ?? defaultProfile;
  }

  /** The server and token to use: `--url`/`--token`, then MAPSHELF_URL/MAPSHELF_TOKEN, then the profile. */
  get connection(): Connection {
    if (this.resolved) return this.resolved;
    const named = this.options.profile ?? this.setting('MAPSHELF_PROFILE');
    const profileName = this.profileName;
    const profile = loadProfile(profileName);
    const given = this.options.url ?? this.setting('MAPSHELF_URL');
    if (named && !profile && !given) {
      throw new UserError(`No profile named "${named}". Create it with \`${shellCommand(`login --profile ${named} --url URL --token TOKEN`)}\`.`, ExitCode.config);
    }
    const url = given ?? profile?.url;
    if (!url) {
      throw new UserError(`No server configured. Run \`${shellCommand('login --url URL --token TOKEN')}\` once, or set MAPSHELF_URL and MAPSHELF_TOKEN.`, ExitCode.config);
    }
    const token = this.options.token ?? this.setting('MAPSHELF_TOKEN') ?? profile?.token;
    this.resolved = { url: normalizeServerUrl(url), token: token || undefined, profile: profile ? profileName : undefined };
    return this.resolved;
  }

  /** The SDK client for this run's connection. */
  get client(): Client {
    if (!this.sdk) {
      const { url, token } = this.connection;
      this.sdk = new Client({ baseUrl: url, ...(token && { token }), userAgent: `mapshelf-cli/${cliVersion}` });
    }
    return this.sdk;
  }

  /** A progress display on stderr; none with `--quiet`. */
  progress(label: string, unit: ProgressUnit): Progress {
    const silent = this.mode === 'quiet';
    const progress = createProgress(silent ? { write: () => true } : this.io.stderr, this.interactive && !silent, label, unit);
    this.progressShown.add(progress);
    return progress;
  }

  /** A status line for people, on stderr so stdout stays the result; none with `--quiet`. */
  note(line: string): void {
    if (this.mode !== 'quiet') this.io.stderr.write(`${line}\n`);
  }

  /** Prints the command's result on stdout. */
  emit(result: CommandResult): void {
    const text = render(result, this.mode);
    if (text) this.io.stdout.write(`${text}\n`);
  }

  /** Ends any progress display and prints the failure as one line (with the stack under `--debug`). */
  fail(error: unknown): number {
    for (const progress of this.progressShown) progress.stop();
    const failure = describeFailure(error, this.resolved?.url);
    this.io.stderr.write(`mapshelf: ${failure.message}\n`);
    if (this.options.debug && error instanceof Error && error.stack) this.io.stderr.write(`${error.stack}\n`);
    return failure.exitCode;
  }
}
