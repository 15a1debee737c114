// Digest credentials per DN for the registrations the gateway makes on behalf of browsers.
//
// The vendor of seed 001 has no such option: its SIP server trusts the gateway, so sip-register
// carries DNs only. Other products (seed 000's media server) configure digest credentials per
// extension range, with username and password that "increment" along the range. Ours, proposed
// as the rtcgate option `sip-register-credentials` in [rsmp]:
//
//   sip-register-credentials = <entry>[,<entry>...]
//   entry = <DN, range or wildcard as in sip-register>:<username>:<password>[:<realm>]
//
//   8100-8199:{dn}:secret-{dn}     each DN authenticates as itself, password derived per DN
//   9000:alice:s3cr\,et:sip.example.net
//   +4930*:{dn}:shared
//
// - `{dn}` in username or password stands for the DN being registered (the "increment" case);
//   a backslash takes the next character literally: `\,` `\:` `\\` `\{`, and `\ ` keeps a space
//   at the end of an entry, where unescaped whitespace is trimmed.
// - With a realm the entry answers only challenges of that realm; without, any realm.
// - The first matching entry wins: put single DNs before the ranges that contain them.
// - Nothing here ever prints a password: errors name the entry by position and DN pattern, and
//   describe() shows `***`.

import { type DnPattern, matchesDnPattern, parseDnPattern } from './patterns.js';

export interface DnCredentials {
  readonly username: string;
  readonly password: string;
}

/** A field is literal text with `{dn}` placeholders. */
type Field = ReadonlyArray<string | { readonly dn: true }>;

export interface DnCredentialEntry {
  readonly pattern: DnPattern;
  readonly realm: string | undefined;
  /** Username with `{dn}` resolved for this DN. */
  username(dn: string): string;
  password(dn: string): string;
}

export interface DnCredentialTable {
  readonly entries: readonly DnCredentialEntry[];
  readonly isEmpty: boolean;
  /** Credentials for `dn` (and the challenge's realm when known), first matching entry. */
  credentialsFor(dn: string, realm?: string): DnCredentials | undefined;
  /** Same, shaped for DigestClient's `lookup` option. */
  lookup(q: { readonly realm: string; readonly user: string }): DnCredentials | undefined;
  /** Operator-readable, passwords masked. */
  describe(): string;
}

interface Ch {
  readonly c: string;
  readonly esc: boolean;
}

function resolve(f: Field, dn: string): string {
  return f.map((part) => (typeof part === 'string' ? part : dn)).join('');
}

function toField(chars: readonly Ch[]): Field {
  const out: Array<string | { dn: true }> = [];
  let lit = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as Ch;
    if (!ch.esc && ch.c === '{' && chars.slice(i, i + 4).map((x) => (x.esc ? '\u0000' : x.c)).join('') === '{dn}') {
      if (lit !== '') out.push(lit);
      lit = '';
      out.push({ dn: true });
      i += 3;
    } else {
      lit += ch.c;
    }
  }
  if (lit !== '') out.push(lit);
  return out;
}

const text = (chars: readonly Ch[]): string => chars.map((x) => x.c).join('');
const isWs = (x: Ch | undefined): boolean => x !== undefined && !x.esc && /\s/.test(x.c);

/** Parses `sip-register-credentials`. Throws a plain Error naming the entry (never its password). */
export function parseDnCredentials(value: string): DnCredentialTable {
  // Split into entries of fields, honouring backslash escapes.
  const entries: Ch[][][] = [];
  let fields: Ch[][] = [[]];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === undefined) throw new Error(`entry ${entries.length + 1}: dangling "\\" at the end`);
      (fields[fields.length - 1] as Ch[]).push({ c: next, esc: true });
      i++;
    } else if (c === ',') {
      entries.push(fields);
      fields = [[]];
    } else if (c === ':') {
      fields.push([]);
    } else {
      (fields[fields.length - 1] as Ch[]).push({ c, esc: false });
    }
  }
  entries.push(fields);
  if (entries.length === 1 && fields.length === 1 && text(fields[0] as Ch[]).trim() === '') return table([]);

  const parsed = entries.map((fs, idx): DnCredentialEntry => {
    const n = idx + 1;
    const first = fs[0] as Ch[];
    while (isWs(first[0])) first.shift();
    const last = fs[fs.length - 1] as Ch[];
    while (isWs(last[last.length - 1])) last.pop();
    const patternText = text(first);
    const where = `entry ${n}${patternText === '' ? '' : ` (${patternText})`}`;
    if (fs.length === 1 && patternText === '') throw new Error(`entry ${n} is empty (stray comma?)`);
    if (fs.length < 3 || fs.length > 4) throw new Error(`${where}: expected <DN or range>:<username>:<password>[:<realm>], got ${fs.length} field${fs.length === 1 ? '' : 's'}`);
    let pattern: DnPattern;
    try {
      pattern = parseDnPattern(patternText);
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const username = toField(fs[1] as Ch[]);
    const password = toField(fs[2] as Ch[]);
    if (username.length === 0) throw new Error(`${where}: the username is empty`);
    if (password.length === 0) throw new Error(`${where}: the password is empty`);
    for (const [name, f] of [['username', fs[1]], ['password', fs[2]], ['realm', fs[3]]] as const) {
      // eslint-disable-next-line no-control-regex
      if (f !== undefined && /[\u0000-\u001f\u007f]/.test(text(f))) throw new Error(`${where}: the ${name} contains a control character`);
    }
    const realmChars = fs[3];
    const realm = realmChars === undefined ? undefined : text(realmChars);
    if (realm === '') throw new Error(`${where}: the realm is empty (leave out the last ":" for any realm)`);
    return { pattern, realm, username: (dn) => resolve(username, dn), password: (dn) => resolve(password, dn) };
  });
  return table(parsed);
}

function table(entries: readonly DnCredentialEntry[]): DnCredentialTable {
  const credentialsFor = (dn: string, realm?: string): DnCredentials | undefined => {
    for (const e of entries) {
      if (e.realm !== undefined && realm !== undefined && e.realm !== realm) continue;
      if (matchesDnPattern(e.pattern, dn)) return { username: e.username(dn), password: e.password(dn) };
    }
    return undefined;
  };
  return {
    entries,
    isEmpty: entries.length === 0,
    credentialsFor,
    lookup: (q) => credentialsFor(q.user, q.realm),
    describe: () =>
      entries.length === 0
        ? 'no credentials (registrations are sent without digest answers)'
        : entries.map((e) => `${e.pattern.source} as ${e.username('{dn}')}:***${e.realm === undefined ? '' : ` in realm ${e.realm}`}`).join(', '),
  };
}
