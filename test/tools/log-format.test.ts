import { stripVTControlCharacters } from 'node:util';
import { lineFormatter, logFormatFor } from '../../src/tools/log-format';

const pinoLine = JSON.stringify({ level: 30, time: 1_700_000_000_000, pid: 4242, hostname: 'box', name: 'api', msg: 'listening', port: 3000 });

describe('npm start log format', () => {
  it('is pretty on a terminal and JSON otherwise', () => {
    expect(logFormatFor({ isTTY: true })).toBe('pretty');
    expect(logFormatFor({ isTTY: false })).toBe('json');
    expect(logFormatFor({})).toBe('json');
  });

  it('keeps JSON lines byte for byte when the output is not a terminal', () => {
    expect(lineFormatter('json')(pinoLine)).toBe(pinoLine);
  });

  it('turns a pino JSON line into one readable line on a terminal', () => {
    const line = stripVTControlCharacters(lineFormatter('pretty')(pinoLine));
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: listening \{"port":3000\}$/);
    expect(line).not.toMatch(/4242|box/);
  });

  it('passes lines that are not pino JSON through unchanged', () => {
    expect(lineFormatter('pretty')('Temporal server: listening')).toBe('Temporal server: listening');
  });
});
