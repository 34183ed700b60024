/**
 * One JSON object per line, for the local emulators' own logs (the handlers log through Powertools). The
 * same shape as Powertools' lines, so one `jq` filter reads both.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const order: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

function threshold(): number {
  const configured = (process.env.LOG_LEVEL ?? 'INFO').toUpperCase() as LogLevel;
  return order[configured] ?? order.INFO;
}

export function createLog(service: string) {
  const write = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < threshold()) return;
    const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), service, ...fields });
    (level === 'ERROR' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    debug: (message: string, fields?: Record<string, unknown>) => write('DEBUG', message, fields),
    info: (message: string, fields?: Record<string, unknown>) => write('INFO', message, fields),
    warn: (message: string, fields?: Record<string, unknown>) => write('WARN', message, fields),
    error: (message: string, fields?: Record<string, unknown>) => write('ERROR', message, fields),
  };
}

/** An error as loggable fields; `JSON.stringify(error)` would drop the message and stack. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: { name: error.name, message: error.message, stack: error.stack } };
  return { error: { message: String(error) } };
}
