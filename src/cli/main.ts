import { ProcsweepError } from '../core/errors.js';
import { escapeText } from '../render/escape.js';

/** Runs the CLI with argv; the single place that turns errors into messages and exit codes. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    // Fast path: monitoring probes call this often; it needs neither commander nor any command.
    const { version } = await import('./version.js');
    process.stdout.write(`${version()}\n`);
    return;
  }
  const { buildProgram } = await import('./program.js');
  const { CommanderError } = await import('./commander.js');
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err, CommanderError);
  }
}

function exitCodeFor(err: unknown, CommanderError: typeof import('./commander.js').CommanderError): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2; // `help CMD` asked for it; a bare group gets it as an error
    return 2; // commander has already printed its one line
  }
  if (err instanceof ProcsweepError) {
    process.stderr.write(`procsweep: ${escapeText(err.message)}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`procsweep: unexpected error: ${escapeText(e?.message ?? String(err))}${process.env.PROCSWEEP_DEBUG ? `\n${e?.stack}` : ' (set PROCSWEEP_DEBUG=1 for a stack trace)'}\n`);
  return 3;
}

await main(process.argv);
