import { processIo } from './io.js';
import { runCli } from './run.js';

// Ctrl-C while a progress bar hides the cursor: show it again before leaving.
process.once('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\u001b[?25h\n');
  process.exit(130);
});

// `arbiter eval results … | head`: the reader left; that is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

// `npm run arbiter -- …` runs in the package root; relative file names mean the caller's directory.
if (process.env.npm_lifecycle_event === 'arbiter' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

process.exitCode = await runCli(process.argv.slice(2), processIo());
