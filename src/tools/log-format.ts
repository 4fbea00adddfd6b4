import { prettyFactory } from 'pino-pretty';

/**
 * How `npm start` shows its services' logs. The services always write pino JSON lines; a person
 * at a terminal gets them as readable, colored lines, anything else (a file, a pipe, a log
 * collector) gets the JSON untouched.
 */
export type LogFormat = 'pretty' | 'json';

export function logFormatFor(output: { isTTY?: boolean }): LogFormat {
  return output.isTTY === true ? 'pretty' : 'json';
}

/** Formats one output line of a service: a pino JSON line in the chosen format, any other line as it is. */
export function lineFormatter(format: LogFormat): (line: string) => string {
  if (format === 'json') return (line) => line;
  // The `[api]`/`[worker]`/`[sandbox]` prefix already names the process; colors follow the
  // terminal (NO_COLOR turns them off).
  const pretty = prettyFactory({ ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss.l', singleLine: true });
  return (line) => pretty(line).trimEnd();
}
