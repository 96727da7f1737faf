/**
 * `notation-ts certificate generate-test|cleanup-test` (notation
 * cmd/notation/cert/generateTest.go and cleanupTest.go, same output lines).
 */
import type { CliContext } from '../context.js';
import { configDir } from '../context.js';
import { UsageError } from '../../errors.js';
import { cleanupTestCertificate, generateTestCertificate } from '../../config/testcert.js';
import { localKeyPaths } from '../../config/dirs.js';

const NAME_RE = /^[a-zA-Z0-9_.-]+$/;

export async function run(ctx: CliContext): Promise<number> {
  const sub = (ctx as CliContext & { command?: string[] }).command?.[1];
  if (sub === 'generate-test') return generate(ctx);
  if (sub === 'cleanup-test') return cleanup(ctx);
  throw new UsageError('UNKNOWN_COMMAND', `unknown certificate command ${JSON.stringify(sub ?? '')}`);
}

function generate(ctx: CliContext): number {
  const name = ctx.args[0];
  generateTestCertificate(configDir(ctx.env), name, {
    bits: ctx.flags.bits as number,
    isDefault: !!ctx.flags.default,
    log: (line) => ctx.stdout.write(line + '\n'),
  });
  return 0;
}

/** notation's AskForConfirmation: the first line of stdin, y/yes (any case) confirms. */
async function confirm(ctx: CliContext, prompt: string): Promise<boolean> {
  ctx.stdout.write(`${prompt} [y/N] `);
  const input = await ctx.readStdin();
  if (input === '') return false; // EOF: nothing to scan, no message (as bufio.Scanner)
  const line = input.split('\n')[0].replace(/\r$/, '');
  const answer = line.toLowerCase();
  if (answer === 'y' || answer === 'yes') return true;
  ctx.stdout.write('Operation cancelled.\n');
  return false;
}

async function cleanup(ctx: CliContext): Promise<number> {
  const name = ctx.args[0];
  if (!NAME_RE.test(name)) throw new UsageError('INVALID_NAME', 'certificate common name must follow [a-zA-Z0-9_.-]+ format');
  const cfg = configDir(ctx.env);
  if (!ctx.flags.yes) {
    const { keyPath, certPath } = localKeyPaths(cfg, name);
    const prompt =
      `The test key ${name} and its corresponding certificate will be cleaned up with the following changes:\n` +
      `- Delete certificate ${name}.crt from trust store ${name} of type ca\n` +
      `- Remove key ${name} from the key list\n` +
      `- Delete key file: ${keyPath}\n` +
      `- Delete certificate file: ${certPath}\n\n` +
      'Are you sure you want to continue?';
    if (!(await confirm(ctx, prompt))) return 0;
  }
  cleanupTestCertificate(cfg, name, { log: (line) => ctx.stdout.write(line + '\n') });
  return 0;
}
