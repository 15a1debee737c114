// The `sip-register` option: which DNs the gateway registers at the SIP server (seed 001,
// [rsmp] sip-register). Syntax, as the vendor defines it, comma-separated entries of:
//   - a single DN:            9000, 003000, +408555
//   - a range, two fixed DNs: 8100-8199, 2020-2050   (bounds of equal length, start <= end)
//   - a wildcard pattern:     556*, 100*10, 123??78   (? = exactly one digit, * = any number of
//                                                      digits, none included)
// A DN has digits only, optionally a leading "+"; leading zeros are kept and significant.
// The vendor defines no exclusions; whitespace around entries is ignored (inside one is an error);
// an empty value means no DN is registered (every sign-in is anonymous).
//
// Matching is on the exact string: "0150" is in 0100-0199, "150" is not; a pattern with "+" only
// matches DNs written with "+", one without only DNs written without it.

export type DnPattern =
  | { readonly kind: 'exact'; readonly source: string; readonly dn: string }
  | { readonly kind: 'range'; readonly source: string; readonly plus: boolean; readonly from: string; readonly to: string }
  | { readonly kind: 'wildcard'; readonly source: string; readonly plus: boolean; readonly glob: string };

export interface DnPatternSet {
  readonly patterns: readonly DnPattern[];
  readonly isEmpty: boolean;
  matches(dn: string): boolean;
  /** The first pattern that matches, for logs. */
  find(dn: string): DnPattern | undefined;
  /** Operator-readable summary for logs and `--help`-style output. */
  describe(): string;
  /** Canonical option text; parses back to an equal set. */
  toString(): string;
}

const DN_RE = /^\+?[0-9]+$/;

/** A syntactically valid DN: digits with an optional leading "+". */
export function isDn(s: string): boolean {
  return DN_RE.test(s);
}

function fail(item: string, why: string): never {
  throw new Error(`item ${JSON.stringify(item)}: ${why}`);
}

/** Parses one entry (already trimmed). Throws a plain Error naming it. */
export function parseDnPattern(item: string): DnPattern {
  if (item === '') throw new Error('empty item');
  if (/\s/.test(item)) fail(item, 'whitespace inside an entry');
  const dash = item.indexOf('-');
  if (dash >= 0) {
    if (item.indexOf('-', dash + 1) >= 0) fail(item, 'more than one "-"');
    let from = item.slice(0, dash);
    let to = item.slice(dash + 1);
    if (/[*?]/.test(item)) fail(item, 'wildcards are not allowed in a range');
    const plus = from.startsWith('+');
    if (to.startsWith('+') && !plus) fail(item, 'the range end has "+" but its start has not');
    if (plus) from = from.slice(1);
    if (to.startsWith('+')) to = to.slice(1);
    if (!/^[0-9]+$/.test(from) || !/^[0-9]+$/.test(to) || from.length !== to.length) {
      fail(item, 'range bounds must be digits of equal length');
    }
    // Equal-length digit strings compare like their numbers, leading zeros included.
    if (from > to) fail(item, 'range start is above its end');
    return { kind: 'range', source: item, plus, from, to };
  }
  const bad = /[^0-9+*?]/.exec(item);
  if (bad !== null) fail(item, `unexpected character ${JSON.stringify(bad[0])}: a DN has digits, a leading "+" and the wildcards * and ?`);
  const plus = item.startsWith('+');
  const body = plus ? item.slice(1) : item;
  if (body.includes('+')) fail(item, '"+" is only allowed as the first character');
  if (body === '') fail(item, 'no digits after "+"');
  if (/[*?]/.test(body)) return { kind: 'wildcard', source: item, plus, glob: body.replace(/\*+/g, '*') };
  return { kind: 'exact', source: item, dn: item };
}

/** Glob over digits: ? one character, * any run (dn is all digits here). Linear backtracking. */
function globMatch(glob: string, s: string): boolean {
  let g = 0;
  let i = 0;
  let starG = -1;
  let starI = 0;
  while (i < s.length) {
    const c = glob[g];
    if (c === '?' || (c !== undefined && c !== '*' && c === s[i])) {
      g++;
      i++;
    } else if (c === '*') {
      starG = g++;
      starI = i;
    } else if (starG >= 0) {
      g = starG + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

export function matchesDnPattern(p: DnPattern, dn: string): boolean {
  if (!DN_RE.test(dn)) return false;
  switch (p.kind) {
    case 'exact':
      return dn === p.dn;
    case 'range': {
      if (dn.startsWith('+') !== p.plus) return false;
      const digits = p.plus ? dn.slice(1) : dn;
      return digits.length === p.from.length && digits >= p.from && digits <= p.to;
    }
    case 'wildcard': {
      if (dn.startsWith('+') !== p.plus) return false;
      return globMatch(p.glob, p.plus ? dn.slice(1) : dn);
    }
  }
}

function canonical(p: DnPattern): string {
  switch (p.kind) {
    case 'exact':
      return p.dn;
    case 'range':
      return `${p.plus ? '+' : ''}${p.from}-${p.to}`;
    case 'wildcard':
      return `${p.plus ? '+' : ''}${p.glob}`;
  }
}

function describeOne(p: DnPattern): string {
  switch (p.kind) {
    case 'exact':
      return canonical(p);
    case 'range': {
      const n = BigInt(p.to) - BigInt(p.from) + 1n;
      return `${canonical(p)} (${n} DN${n === 1n ? '' : 's'})`;
    }
    case 'wildcard':
      return `${canonical(p)} (wildcard)`;
  }
}

/** Splits a comma list, trims each entry, and names an empty one by position. */
export function splitEntries(value: string, what = 'item'): string[] {
  if (value.trim() === '') return [];
  return value.split(',').map((raw, i) => {
    const t = raw.trim();
    if (t === '') throw new Error(`${what} ${i + 1} is empty (stray comma?)`);
    return t;
  });
}

/** Parses the `sip-register` value. Throws a plain Error naming the offending entry. */
export function parseDnPatterns(value: string): DnPatternSet {
  const patterns = splitEntries(value).map(parseDnPattern);
  return {
    patterns,
    isEmpty: patterns.length === 0,
    matches: (dn) => patterns.some((p) => matchesDnPattern(p, dn)),
    find: (dn) => patterns.find((p) => matchesDnPattern(p, dn)),
    describe: () =>
      patterns.length === 0
        ? 'no DNs (every sign-in is anonymous)'
        : `${patterns.length} entr${patterns.length === 1 ? 'y' : 'ies'}: ${patterns.map(describeOne).join(', ')}`,
    toString: () => patterns.map(canonical).join(','),
  };
}
