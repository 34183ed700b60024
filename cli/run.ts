import { Command, CommanderError } from 'commander';
import { benchmarksCommand } from './commands/benchmarks.js';
import { evaluationsCommand } from './commands/evaluations.js';
import { loginCommand } from './commands/login.js';
import { modelsCommand } from './commands/models.js';
import { CliError, exitCodes } from './errors.js';
import { print, type Io } from './io.js';

export function buildProgram(io: Io): Command {
  const program = new Command('arbiter')
    .description('Arbiter from the command line: benchmarks, models, evaluations, results and reports')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    // Commander would call process.exit; errors come back to runCli instead, which picks the exit code.
    .exitOverride();
  // Subcommands copy these settings when they are added, so they are set first.
  program.addCommand(loginCommand(io));
  program.addCommand(benchmarksCommand(io));
  program.addCommand(modelsCommand(io));
  program.addCommand(evaluationsCommand(io));
  for (const command of program.commands) inheritSettings(command, program);
  return program;
}

/** `addCommand` does not copy the parent's output and exit settings (`.command()` does): copy them down. */
function inheritSettings(command: Command, parent: Command): void {
  command.copyInheritedSettings(parent);
  for (const child of command.commands) inheritSettings(child, command);
}

/**
 * Runs one command line and answers its exit code: 0 done, 1 an error (API, network, input file, failed
 * evaluation), 2 a usage error, 3 a missed `--fail-under` threshold. User mistakes print `error: …` and
 * never a stack trace.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end in a CommanderError too; commander has already printed what it had to.
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) && error.exitCode === 0
        ? exitCodes.ok
        : exitCodes.usage;
    }
    if (error instanceof CliError) {
      print(io.stderr, `error: ${error.message}`);
      for (const line of error.details) print(io.stderr, line);
      return error.exitCode;
    }
    throw error;
  }
}
