import { CancelledError, UsageError } from '../core/errors.js';
import type { CliIO } from './io.js';

/**
 * Refuses at once, before reading anything, when a command would signal without `--yes` and
 * stdin is not a terminal: consent is never read from a pipe and never waited for on one.
 */
export function requireConsent(io: CliIO, o: { yes?: boolean; dryRun?: boolean }): void {
  if (o.dryRun || o.yes || io.stdinIsTTY) return;
  throw new UsageError('refusing to signal without confirmation: stdin is not a terminal, so there is no one to ask. Add --yes (-y) to act, or --dry-run (-n) to preview. Nothing was signalled');
}

/** True for the error inquirer raises when the prompt is cancelled (Ctrl-C, closed terminal). */
function cancelled(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

/** What a cancelled prompt raises: exit 130, so a script can tell a cancel from a success or a "no". */
function cancel(): CancelledError {
  return new CancelledError('cancelled at the prompt: nothing was signalled or removed');
}

/** One checkbox line. */
export interface CandidateChoice {
  value: number;
  name: string;
  /** What the answer line shows once accepted (the pid). */
  short: string;
  description?: string;
}

/** Columns taken by the checkbox's cursor and box before each label: headers align with it. */
export const CHOICE_INDENT = 3;

/** How the picker draws: a column header (given the indent of the cursor and box) and UTF-8 or ASCII symbols. */
export interface PickerLook {
  header?: (indent: number) => string;
  unicode?: boolean;
}

/**
 * The picker of candidates (all checked) on stderr: a count of rows ("20 of 200"), `/` to
 * filter by typing, `a`/`i` on the rows shown. Resolves with the pids left checked;
 * CancelledError on Ctrl-C.
 */
export async function chooseCandidates(io: CliIO, choices: CandidateChoice[], look: PickerLook = {}): Promise<number[]> {
  const { picker } = await import('./picker.js');
  const indent = look.unicode === false ? 5 : CHOICE_INDENT;
  try {
    return await picker(
      {
        message: 'Remove these processes and their trees? (space toggles, enter accepts)',
        choices,
        pageSize: Math.min(20, Math.max(5, choices.length)),
        header: look.header?.(indent),
        unicode: look.unicode,
      },
      { input: io.stdin, output: io.stderr, clearPromptOnDone: false },
    );
  } catch (err) {
    if (cancelled(err)) throw cancel();
    throw err;
  }
}

/** A yes/no question on stderr that defaults to No; CancelledError on Ctrl-C. Not `unicode` (LANG=C): `?` instead of the `✔` once answered. */
export async function confirmAction(io: CliIO, message: string, unicode = true): Promise<boolean> {
  const { default: confirm } = await import('@inquirer/confirm');
  const theme = unicode ? undefined : { prefix: { idle: '?', done: '?' } };
  try {
    return await confirm({ message, default: false, theme }, { input: io.stdin, output: io.stderr });
  } catch (err) {
    if (cancelled(err)) throw cancel();
    throw err;
  }
}
