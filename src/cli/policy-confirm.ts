/**
 * notation's confirmation prompt (display.AskForConfirmation), for the commands
 * that overwrite or delete configuration: `policy import|init`, `blob policy
 * import|init`, `certificate delete`.
 *
 * notation reads the answer from whatever stdin is and treats end of input as
 * "no", exiting 0 without doing anything. A script that forgot `--force` then
 * silently keeps the old policy, so here: without a terminal to ask, the
 * command fails with an error that names the flag to pass.
 */
import type { CliContext } from './context.js';
import { UsageError } from '../errors.js';

export const CONFIRMATION_REQUIRED = 'CONFIRMATION_REQUIRED';

/**
 * True when the operation may go ahead: `confirmed` (the --force/--yes flag) was
 * given, or the user answered y/yes at the terminal. A "no" prints notation's
 * "Operation cancelled." and returns false. Without a terminal, throws
 * UsageError CONFIRMATION_REQUIRED whose message is `refusal`.
 */
export async function askForConfirmation(ctx: CliContext, prompt: string, confirmed: boolean, refusal: string): Promise<boolean> {
  if (confirmed) return true;
  if (!ctx.readLine) {
    throw new UsageError(CONFIRMATION_REQUIRED, `${refusal} (stdin is not a terminal, so there is no one to confirm)`);
  }
  ctx.stdout.write(`${prompt} [y/N] `);
  const answer = await ctx.readLine();
  if (answer === undefined) return false; // end of input: notation returns quietly too
  const a = answer.trim().toLowerCase();
  if (a === 'y' || a === 'yes') return true;
  ctx.stdout.write('Operation cancelled.\n');
  return false;
}
