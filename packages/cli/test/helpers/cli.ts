/**
 * Runs the built `mapshelf` CLI (packages/cli/dist/bin.js, from `npx tsc -b`) as a child process,
 * the way a user's shell would: stdout and stderr are pipes, the configuration folder is the
 * caller's own (XDG_CONFIG_HOME), and no MAPSHELF_* variable leaks in from the test's environment.
 *
 * The child is started with `spawn`, never `spawnSync`: tests run the server in their own process,
 * and a synchronous child would block the event loop the server answers on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const cliBin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
/** The package's `bin` entry: what `npm install` links as `mapshelf` (executable in git, unlike the build's output). */
export const installedBin = fileURLToPath(new URL('../../bin/mapshelf.js', import.meta.url));

/** One finished run of the CLI. */
export interface CliRun {
  args: string[];
  /** The exit code; null when it was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** XDG_CONFIG_HOME of the run: where `login` saves profiles. */
  configHome: string;
  /** Variables to set, e.g. MAPSHELF_URL; MAPSHELF_* from the test's own environment are never passed on. */
  env?: Record<string, string>;
  /** The child is killed after this long. @default 90000 */
  timeoutMs?: number;
}

/** Every run so far, for checks across all of them (no escape codes anywhere, say). */
export const cliRuns: CliRun[] = [];

/**
 * The test's environment without MAPSHELF_*, colour switches or npm's own variables, so runs see a
 * plain pipe and a user at a shell (under `npm test`, npm's variables would make every hint say `npx`).
 */
function childEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('MAPSHELF_') && !name.startsWith('npm_') && name !== 'FORCE_COLOR' && name !== 'NO_COLOR' && name !== 'NODE_TEST_CONTEXT') env[name] = value;
  }
  return { ...env, XDG_CONFIG_HOME: options.configHome, ...options.env };
}

/** Runs a program with piped output and resolves when it exits; killed (and rejected) after `timeoutMs`. */
export function runProcess(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd && { cwd: options.cwd }) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 90_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === null) reject(new Error(`${command} ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `mapshelf ...args` and resolves when it exits. */
export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const run = { args, ...(await runProcess(process.execPath, [cliBin, ...args], { env: childEnv(options), ...(options.timeoutMs && { timeoutMs: options.timeoutMs }) })) };
  cliRuns.push(run);
  return run;
}

/**
 * A person at a shell: a configuration folder of their own and the variables they set. `run`
 * adds more variables for one command.
 */
export class CliUser {
  constructor(
    readonly configHome: string,
    readonly env: Record<string, string> = {},
  ) {}

  run(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    return runCli(args, { configHome: this.configHome, env: { ...this.env, ...env } });
  }

  /** Runs a command that must succeed. */
  async ok(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    const run = await this.run(args, env);
    assertOk(run);
    return run;
  }

  /** Runs a command with `--json`, which must succeed; the whole parsed output, `{mapshelf: {v1: …}}`. */
  async json<T = any>(args: string[], env: Record<string, string> = {}): Promise<{ mapshelf: { v1: T } }> {
    const run = await this.ok([...args, '--json'], env);
    return parseJson<T>(run);
  }

  /** Runs a command with `--quiet`, which must succeed; its stdout lines. */
  async quiet(args: string[], env: Record<string, string> = {}): Promise<string[]> {
    return lines((await this.ok([...args, '--quiet'], env)).stdout);
  }
}

/** A fresh folder (mode 0700, as mkdtemp makes it) under `parent`, e.g. for XDG_CONFIG_HOME. */
export function tempFolder(parent: string, prefix: string): string {
  return mkdtempSync(join(parent, `${prefix}-`));
}

/** What a failed assertion about a run should show: the command and both streams. */
export function describeRun(run: CliRun): string {
  return `mapshelf ${run.args.join(' ')} → exit ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}

export function assertOk(run: CliRun): void {
  assert.equal(run.code, 0, describeRun(run));
}

/** A `--json` run's stdout, parsed; it must be the versioned envelope and nothing else. */
export function parseJson<T = any>(run: CliRun): { mapshelf: { v1: T } } {
  let parsed: { mapshelf: { v1: T } };
  try {
    parsed = JSON.parse(run.stdout) as { mapshelf: { v1: T } };
  } catch (error) {
    assert.fail(`stdout is not JSON (${(error as Error).message})\n${describeRun(run)}`);
  }
  assert.deepEqual(Object.keys(parsed), ['mapshelf'], describeRun(run));
  assert.deepEqual(Object.keys(parsed.mapshelf), ['v1'], describeRun(run));
  return parsed;
}

/** Text split into lines, without the empty one after the last newline. */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/** A stack frame line, as Node prints them. */
const stackLine = /^\s+at /m;

/**
 * A failure as the CLI promises to report it: the exit code, and on stderr exactly one line,
 * `mapshelf: ` and the message, with no stack trace; nothing on stdout.
 */
export function assertFailure(run: CliRun, exitCode: number, message: RegExp): string {
  assert.equal(run.code, exitCode, describeRun(run));
  const errLines = lines(run.stderr);
  assert.equal(errLines.length, 1, `exactly one line on stderr\n${describeRun(run)}`);
  const line = errLines[0]!;
  assert.ok(line.startsWith('mapshelf: '), `the line starts with "mapshelf: "\n${describeRun(run)}`);
  assert.match(line, message, describeRun(run));
  assert.doesNotMatch(run.stderr, stackLine, `no stack trace without --debug\n${describeRun(run)}`);
  assert.equal(run.stdout, '', `nothing on stdout\n${describeRun(run)}`);
  return line;
}

/** The same failure under `--debug`: the same first line, the same exit code, and now a stack trace. */
export function assertDebugFailure(run: CliRun, exitCode: number, firstLine: string): void {
  assert.equal(run.code, exitCode, describeRun(run));
  assert.equal(lines(run.stderr)[0], firstLine, describeRun(run));
  assert.match(run.stderr, stackLine, `a stack trace with --debug\n${describeRun(run)}`);
}

const isoTime = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
/** A generated API token, or the start of one in a `key_hint`. */
const tokenKey = /\bmsk_[A-Za-z0-9_-]+/g;

/**
 * A value with what changes from run to run replaced: ISO timestamps by '<time>', generated
 * tokens by '<key>', and each `replace` key (the server URL, a temporary folder) by its value.
 */
export function normalize(value: unknown, replace: Record<string, string> = {}): any {
  if (typeof value === 'string') {
    let text = value.replace(isoTime, '<time>').replace(tokenKey, '<key>');
    for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item, replace));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalize(item, replace)]));
  return value;
}

/** A text table's rows as cells (split where two or more spaces separate them), header first. */
export function tableRows(text: string): string[][] {
  return lines(text).map((line) => line.trim().split(/\s{2,}/));
}

/** `2026-11-22 15:04`, as the CLI prints dates in text output. */
export const shownDate = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

/** `text` as a regular expression source that matches it literally (a path, a URL). */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
