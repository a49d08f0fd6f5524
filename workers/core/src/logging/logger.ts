/**
 * One logger: JSON lines when deployed (Workers Logs picks them up), readable
 * coloured lines under `npm start`. Known secret values are masked in every
 * line, whatever field they hide in.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const COLOURS: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  format: 'json' | 'pretty';
  /** Values to mask wherever they appear (tokens, keys). */
  secrets?: readonly string[];
  /** Where lines go; console.log by default. */
  sink?: (line: string) => void;
}

/**
 * PO tokens are minted per video at run time, so no list can hold them: any `pot=` URL
 * parameter or `poToken` field is masked by shape.
 */
const PO_TOKEN_SHAPES: [RegExp, string][] = [
  [/((?:[?&]|%26)(?:amp;)?pot(?:=|%3D))[^&\s"'\\]+/gi, '$1[redacted]'],
  [/((?:\\?")poToken(?:\\?")\s*:\s*(?:\\?"))[^"\\]+/g, '$1[redacted]'],
];

export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const [shape, replacement] of PO_TOKEN_SHAPES) result = result.replace(shape, replacement);
  for (const secret of secrets) {
    if (secret.length >= 6 && result.includes(secret)) result = result.split(secret).join('[redacted]');
  }
  return result;
}

export function createLogger(options: LoggerOptions, base: Record<string, unknown> = {}): Logger {
  const threshold = ORDER[options.level];
  const secrets = (options.secrets ?? []).filter((value) => value.length >= 6);
  const sink = options.sink ?? ((line: string) => console.log(line));

  const write = (level: LogLevel, event: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < threshold) return;
    const record = { time: new Date().toISOString(), level, event, ...base, ...fields };
    let line: string;
    if (options.format === 'json') {
      line = JSON.stringify(record, errorReplacer);
    } else {
      const extra = Object.entries({ ...base, ...fields })
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value, errorReplacer)}`)
        .join(' ');
      line = `${COLOURS[level]}${level.toUpperCase().padEnd(5)}\x1b[0m ${event} ${extra}`;
    }
    sink(redact(line, secrets));
  };

  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** Errors are logged by name and message only: stack traces stay out of logs. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
