/** What every command shares: output, errors with exit codes, argument parsing and plain-text tables. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Operon's version, as `operon --version` says and backups record. */
export const VERSION = '0.1.0';

export const EXIT_OK = 0;
/** The command ran and failed: server error, unknown id, unreachable server. */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong: unknown command or option, missing argument. */
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Terminal width when writing to a terminal; undefined when piped (then nothing is truncated). */
  width: number | undefined;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  width: process.stdout.isTTY ? process.stdout.columns : undefined,
};

/** Everything on standard input (e.g. a password piped in), without its final newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A byte count for people: 512 B, 12.3 kB, 4.5 MB. */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export interface Command {
  usage: string;
  run(args: string[], io: Io): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into usage errors. */
export function parse<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${usage}`);
  }
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

// ---- tables --------------------------------------------------------------------------------

function clip(s: string, w: number): string {
  return s.length <= w ? s : `${s.slice(0, Math.max(0, w - 1))}…`;
}

export interface TableOptions {
  /** Columns to right-align (numbers). */
  right?: readonly number[];
  width?: number | undefined;
}

/**
 * A plain table: a header, a rule, one line per row. When a width is given
 * (a terminal), the widest columns are cut down with an ellipsis until the
 * table fits.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const clean = (s: string) => s.replace(/[\r\n\t]+/g, ' ');
  const body = rows.map((r) => header.map((_, i) => clean(r[i] ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const gap = 2;
  if (opts.width !== undefined) {
    const total = () => widths.reduce((n, w) => n + w, 0) + gap * (widths.length - 1);
    while (total() > opts.width) {
      const widest = widths.indexOf(Math.max(...widths));
      if (widths[widest]! <= 8) break;
      widths[widest] = widths[widest]! - 1;
    }
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const v = clip(c, widths[i]!);
        return opts.right?.includes(i) ? v.padStart(widths[i]!) : i === cells.length - 1 ? v : v.padEnd(widths[i]!);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

/** `label  value` lines, labels aligned; long values wrap under themselves on a terminal. */
export function keyValues(pairs: readonly (readonly [string, string])[], width?: number): string {
  const lw = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => {
      const room = width === undefined ? Infinity : Math.max(30, width - lw - 4);
      return `  ${k.padEnd(lw)}  ${wrap(v, room).join(`\n  ${' '.repeat(lw)}  `)}`;
    })
    .join('\n');
}

export function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** `████░░░░░░` for a share of 0–100. */
export function bar(percent: number, width = 20): string {
  const full = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/**
 * A progress line for long operations: redrawn in place on a terminal, and
 * when piped a line at each quarter so logs still show it moving.
 */
export function progressLine(io: Io, label: string, tty = process.stdout.isTTY === true) {
  let lastQuarter = -1;
  let drawn = false;
  return {
    update(done: number, total: number, detail = '') {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      if (tty) {
        const text = `  ${label.padEnd(10)} ${bar(pct)} ${String(pct).padStart(3)}%  ${detail}`;
        const width = io.width ?? 100;
        process.stdout.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
        drawn = true;
      } else {
        const quarter = Math.floor(pct / 25);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          io.out(`  ${label.padEnd(10)} ${pct}% (${done}/${total})`);
        }
      }
    },
    done(summary: string) {
      if (drawn) process.stdout.write(`\r${' '.repeat((io.width ?? 100) - 1)}\r`);
      io.out(`  ${label.padEnd(10)} ${summary}`);
    },
  };
}
