import { createInterface } from 'node:readline/promises';

/**
 * Everything the CLI touches outside itself, in one value: tests run commands in-process with their own
 * streams, environment and fetch, and read what a user would have seen.
 */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal: live progress bars; otherwise one progress line per change. */
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Used by the typed client; the global fetch unless a test passes its own. */
  fetch?: typeof fetch;
  /** Waits between status polls; tests shorten it. */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Standard input: a question is asked only when it (and standard error) is a terminal. */
  stdin?: { isTTY?: boolean };
  /** Asks one question on the terminal and answers the line typed. */
  ask?: (question: string) => Promise<string>;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    stdin: process.stdin,
    ask: async (question) => {
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
  };
}

export const print = (stream: OutputStream, text = '') => stream.write(`${text}\n`);
