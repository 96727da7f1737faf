/**
 * What a command gets: parsed flags and args, its output streams, and the
 * environment-derived directories (the only place besides src/config that reads env).
 */
import { resolveNotationDirs } from '../config/dirs.js';
import type { FlagValues } from './args.js';

export interface Output {
  write(s: string): void;
}

export interface CliContext {
  args: string[];
  flags: FlagValues;
  changed: Set<string>;
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout/stderr are terminals (progress output only then). */
  isTTY: boolean;
  /** Reads all of standard input (for --password-stdin). */
  readStdin: () => Promise<string>;
  /** Reads one line of an interactive stdin (confirmation prompts); absent when stdin is not a terminal. */
  readLine?: () => Promise<string | undefined>;
}

/** notation's config dir (NOTATION_CONFIG, else the XDG/home rules of src/config). */
export function configDir(env: Record<string, string | undefined>): string {
  return resolveNotationDirs(env).configDir;
}

/** notation's cache dir (NOTATION_CACHE, else the XDG/home rules of src/config). */
export function cacheDir(env: Record<string, string | undefined>): string {
  return resolveNotationDirs(env).cacheDir;
}

/** Plugin dir root: NOTATION_LIBEXEC, else the config dir. */
export function libexecDir(env: Record<string, string | undefined>): string {
  return resolveNotationDirs(env).libexecDir;
}
