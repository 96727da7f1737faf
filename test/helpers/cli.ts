/** Runs the notation-ts CLI in process (fast) and captures its output. */
import { run } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (s) => void (stdout += s) },
    stderr: { write: (s) => void (stderr += s) },
    env: { HOME: process.env.HOME, PATH: process.env.PATH, ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
    readStdin: async () => opts.stdin ?? '',
  });
  return { code, stdout, stderr };
}

/** Splits a shell command line (single/double quotes, no expansions). */
export function shellSplit(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | null = null;
  let any = false;
  for (const ch of cmd) {
    if (q) {
      if (ch === q) q = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (cur || any) out.push(cur);
  return out;
}
