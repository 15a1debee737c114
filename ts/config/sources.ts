// Readers for the three configuration sources: INI file, JSON file, command line. Each returns a
// list of raw settings (strings) tagged with where they came from; typing and validation happen
// in loadConfig. Settings are kept in arrays, never as keys of a plain object, so names such as
// "__proto__" cannot reach an object's prototype.

import { ConfigError, UsageError } from '../errors.js';

export type SourceKind = 'default' | 'file' | 'cli';

export interface RawSetting {
  section: string;
  option: string;
  value: string;
  source: SourceKind;
  /** "file.ini:12" or "command line", for messages. */
  where: string;
}

const SECTION_RE = /^\[\s*([^\]\s]+)\s*\]$/;

/** INI as the vendor writes it: `[section]`, `option = value`, full-line `#` or `;` comments. */
export function parseIni(text: string, fileName: string): RawSetting[] {
  const out: RawSetting[] = [];
  let section: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const line = rawLine.trim();
    const where = `${fileName}:${i + 1}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const sec = SECTION_RE.exec(line);
    if (sec) {
      section = sec[1] ?? '';
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(line.slice(0, 40), `${where}: expected "option = value" or "[section]"`, section ?? 'rsmp');
    }
    const option = line.slice(0, eq).trim();
    if (section === null) {
      throw new ConfigError(option, `${where}: option outside of a section (put it under [rsmp])`);
    }
    out.push({ section, option, value: unquote(line.slice(eq + 1).trim()), source: 'file', where });
  });
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1);
  }
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{ "rsmp": { "http-port": 8086, "web-ice-addresses": ["10.0.0.1"], ... } }` */
export function parseJsonConfig(text: string, fileName: string): RawSetting[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${fileName}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(doc)) throw new UsageError(`${fileName}: expected an object such as { "rsmp": { ... } }`);
  const out: RawSetting[] = [];
  for (const section of Object.keys(doc)) {
    const body = doc[section];
    if (!isRecord(body)) {
      throw new ConfigError('*', `${fileName}: section "${section}" must be an object of options`, section);
    }
    for (const option of Object.keys(body)) {
      const where = `${fileName}: ${section}.${option}`;
      out.push({ section, option, value: jsonScalar(body[option], option, section, where), source: 'file', where });
    }
  }
  return out;
}

function jsonScalar(v: unknown, option: string, section: string, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(',');
  throw new ConfigError(option, `${where}: expected a string, number, boolean or list of strings`, section);
}

export interface CliArgs {
  configFile: string | null;
  settings: RawSetting[];
}

/**
 * `--config FILE` and `--<option> VALUE` (or `--<option>=VALUE`). A flag followed by nothing or
 * by another `--flag` gets the value "true", which suits boolean options and is rejected by the
 * parser of any other type.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let configFile: string | null = null;
  const settings: RawSetting[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string;
    if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        value = 'true';
      } else {
        value = next;
        i++;
      }
    }
    if (name === 'config') {
      if (value === 'true' && eq < 0) throw new UsageError('--config needs a file name');
      configFile = value;
      continue;
    }
    settings.push({ section: 'rsmp', option: name, value, source: 'cli', where: 'command line' });
  }
  return { configFile, settings };
}
