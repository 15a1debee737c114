// Known-answer tests for the digest answer, the challenge parser and DigestClient.
// Provenance: RFC 2617 §3.5 (MD5, qop=auth), RFC 7616 §3.9.1 (MD5 and SHA-256, password
// "Circle of Life" with a lower-case "of", erratum 4495), RFC 2069 §2.4 as corrected by its erratum
// (response 1949323746fe6a43ef61f9606e7febea; the printed e966c932… is wrong). The -sess and
// auth-int rows have no RFC vector: they are recomputed here from the RFC 7616 formulas with
// node:crypto, independently of digest.ts.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  buildAuthorization,
  DigestChallengeError,
  DigestClient,
  parseChallengeList,
  parseDigestChallenge,
  selectChallenges,
  type CredentialQuery,
  type DigestAlgorithm,
  type DigestChallengeReason,
} from './index.js';

/** Reads the directives of an Authorization value back (test helper, not the parser under test). */
function directives(value: string): Record<string, string> {
  assert.ok(value.startsWith('Digest '));
  const out: Record<string, string> = {};
  for (const m of value.slice(7).matchAll(/([a-z]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g)) {
    out[m[1] as string] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

const RFC2617_CHALLENGE =
  'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

const rfc7616Challenge = (alg: string): string =>
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, ` +
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
const RFC7616_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
const GET = { method: 'GET', uri: '/dir/index.html' };

describe('digest answer: RFC vectors', () => {
  it('RFC 2617 §3.5 (MD5, qop=auth), header byte-exact', () => {
    const ch = parseDigestChallenge(RFC2617_CHALLENGE);
    const a = buildAuthorization(ch, { username: 'Mufasa', password: 'Circle Of Life' }, GET, { cnonce: '0a4f113b', nc: 1 });
    assert.equal(a.response, '6629fae49393a05397450978507c4ef1');
    assert.equal(
      a.value,
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
        'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
  });

  for (const [alg, response] of [
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ] as const) {
    it(`RFC 7616 §3.9.1 ${alg}`, () => {
      const ch = parseDigestChallenge(rfc7616Challenge(alg));
      const a = buildAuthorization(ch, { username: 'Mufasa', password: 'Circle of Life' }, GET, { cnonce: RFC7616_CNONCE, nc: 1 });
      assert.equal(a.response, response);
      assert.deepEqual(directives(a.value), {
        username: 'Mufasa',
        realm: 'http-auth@example.org',
        nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
        uri: '/dir/index.html',
        algorithm: alg,
        qop: 'auth',
        nc: '00000001',
        cnonce: RFC7616_CNONCE,
        response,
        opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      });
    });
  }

  it('RFC 2069 legacy (no qop): no qop/nc/cnonce sent, errata response', () => {
    const ch = parseDigestChallenge('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    assert.deepEqual(ch.qop, []);
    const a = buildAuthorization(ch, { username: 'Mufasa', password: 'CircleOfLife' }, GET, { cnonce: 'unused', nc: 1 });
    assert.equal(a.response, '1949323746fe6a43ef61f9606e7febea');
    assert.equal(a.qop, undefined);
    const d = directives(a.value);
    assert.equal(d.qop, undefined);
    assert.equal(d.nc, undefined);
    assert.equal(d.cnonce, undefined);
    assert.equal(d.algorithm, undefined, 'algorithm not echoed when the challenge had none');
  });
});

describe('digest answer: -sess and auth-int (recomputed with node:crypto)', () => {
  const H = (alg: DigestAlgorithm, s: string): string => createHash(alg.startsWith('MD5') ? 'md5' : 'sha256').update(s).digest('hex');
  const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
  for (const alg of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const) {
    for (const qop of ['auth', 'auth-int'] as const) {
      it(`${alg} qop=${qop}`, () => {
        const ch = parseDigestChallenge(`Digest realm="sip.example.net", nonce="n0nce", algorithm=${alg}, qop="${qop}"`);
        const req = { method: 'INVITE', uri: 'sip:bob@sip.example.net', body };
        const a = buildAuthorization(ch, { username: '8100', password: 'pw' }, req, { cnonce: 'c1', nc: 7 });
        let ha1 = H(alg, '8100:sip.example.net:pw');
        if (alg.endsWith('-sess')) ha1 = H(alg, `${ha1}:n0nce:c1`);
        const ha2 = H(alg, qop === 'auth' ? 'INVITE:sip:bob@sip.example.net' : `INVITE:sip:bob@sip.example.net:${H(alg, body)}`);
        assert.equal(a.response, H(alg, `${ha1}:n0nce:00000007:c1:${qop}:${ha2}`));
        assert.equal(directives(a.value).qop, qop);
        assert.equal(directives(a.value).nc, '00000007');
        assert.equal(directives(a.value).algorithm, alg);
      });
    }
  }

  it('auth is preferred when both are offered; auth-int only when alone', () => {
    assert.equal(buildAuthorization(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int,auth"'), { username: 'u', password: 'p' }, GET, { cnonce: 'c', nc: 1 }).qop, 'auth');
    assert.equal(buildAuthorization(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"'), { username: 'u', password: 'p' }, GET, { cnonce: 'c', nc: 1 }).qop, 'auth-int');
  });

  it('quotes and backslashes in echoed values are escaped; control characters refused', () => {
    const ch = parseDigestChallenge('Digest realm="a \\"q\\" \\\\ b", nonce="n", opaque="o\\"p"');
    assert.equal(ch.realm, 'a "q" \\ b');
    const a = buildAuthorization(ch, { username: 'we"ird', password: 'p' }, GET, { cnonce: 'c', nc: 1 });
    assert.ok(a.value.includes('realm="a \\"q\\" \\\\ b"'));
    assert.ok(a.value.includes('username="we\\"ird"'));
    assert.equal(directives(a.value).realm, 'a "q" \\ b');
    assert.throws(() => buildAuthorization(ch, { username: 'x\r\nVia: evil', password: 'p' }, GET, { cnonce: 'c', nc: 1 }), /control character/);
    assert.throws(() => buildAuthorization(ch, { username: 'x', password: 'p' }, GET, { cnonce: 'c', nc: 0 }), RangeError);
  });
});

describe('challenge parser', () => {
  it('accepts case-insensitive names, token or quoted values, unknown directives, folding', () => {
    const ch = parseDigestChallenge('dIgEsT REALM=example.com,\r\n  Nonce="a/b+c==" , ALGORITHM="sha-256-SESS", QOP=auth, Stale=TRUE, domain="sip:x sip:y", foo=bar, charset=UTF-8');
    assert.deepEqual(ch, { realm: 'example.com', nonce: 'a/b+c==', algorithm: 'SHA-256-sess', algorithmGiven: true, qop: ['auth'], stale: true });
    assert.equal(parseDigestChallenge('Digest realm="r", nonce="n", stale=false').stale, false);
    assert.equal(parseDigestChallenge('Digest realm="r", nonce="n", stale="yes"').stale, false);
    assert.equal(parseDigestChallenge('Digest realm="", nonce=n, ,').realm, '');
    assert.deepEqual(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int, token-x ,auth"').qop, ['auth-int', 'auth']);
  });

  it('splits the RFC 7235 list form', () => {
    const list = parseChallengeList('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple", Digest realm="d", nonce="n"');
    assert.deepEqual(list.map((c) => c.scheme), ['Newauth', 'Basic', 'Digest']);
    assert.equal(list[0]?.params.get('title'), 'Login to "apps"');
    assert.deepEqual(parseChallengeList('Digest realm="a", Negotiate').map((c) => c.scheme), ['Digest', 'Negotiate']);
  });

  const bad: Array<[string, DigestChallengeReason]> = [
    ['', 'syntax'],
    ['   ', 'syntax'],
    ['Digest', 'missing-realm'],
    ['Digest realm="r"', 'missing-nonce'],
    ['Digest nonce="n"', 'missing-realm'],
    ['Digest realm="r", nonce=""', 'missing-nonce'],
    ['Digest realm="r", nonce="n', 'syntax'],
    ['Digest realm="r" nonce="n"', 'syntax'],
    ['Digest realm=, nonce="n"', 'syntax'],
    ['Digest realm="r", nonce="n", realm="s"', 'duplicate-param'],
    ['Digest realm="r", NONCE="n", nonce="m"', 'duplicate-param'],
    ['Digest realm="r", nonce="n", algorithm=SHA-512-256', 'unsupported-algorithm'],
    ['Digest realm="r", nonce="n", algorithm=AKAv1-MD5', 'unsupported-algorithm'],
    ['Digest realm="r", nonce="n", qop="auth-conf"', 'unsupported-qop'],
    ['Digest realm="r", nonce="n", qop=""', 'unsupported-qop'],
    ['Digest realm="r\u0000", nonce="n"', 'syntax'],
    ['Digest realm="r\nx", nonce="n"', 'syntax'],
    ['Digest realm="r\\\n", nonce="n"', 'syntax'],
    ['Digest realm="r\\', 'syntax'],
    ['Digest realm="r",\nnonce="n"', 'syntax'],
    ['Digest realm="r"; nonce="n"', 'syntax'],
    ['Digest realm="r", nonce="n", Basic realm="x"', 'syntax'], // two challenges in one SIP value
    ['Basic realm="x"', 'not-digest'],
    ['Digest\trealm="r", nonce="n", x="' + 'a'.repeat(9000) + '"', 'too-long'],
    ['"Digest" realm="r"', 'syntax'],
    ['Digest realm="r", nonce="n", stale', 'syntax'],
  ];
  for (const [value, reason] of bad) {
    it(`rejects ${JSON.stringify(value.slice(0, 50))} (${reason})`, () => {
      assert.throws(
        () => parseDigestChallenge(value),
        (err: unknown) => err instanceof DigestChallengeError && err.reason === reason && err.code === 'ERR_SIP_DIGEST_CHALLENGE',
      );
    });
  }

  it('selectChallenges: strongest per realm, server order on ties, one per realm, reasons when none', () => {
    const picked = selectChallenges([
      'Digest realm="a", nonce="1", algorithm=MD5',
      'Digest realm="a", nonce="2", algorithm=SHA-512-256',
      'Digest realm="a", nonce="3", algorithm=SHA-256',
      'Digest realm="a", nonce="4", algorithm=SHA-256-sess',
      'Basic realm="a"',
      'Digest realm="b", nonce="5"',
      'garbage "',
    ]);
    assert.deepEqual(picked.map((c) => [c.realm, c.nonce, c.algorithm]), [
      ['a', '3', 'SHA-256'],
      ['b', '5', 'MD5'],
    ]);
    assert.throws(
      () => selectChallenges(['Basic realm="x"', 'Digest realm="r", nonce="n", algorithm=SHA-512-256']),
      (err: unknown) => err instanceof DigestChallengeError && err.reason === 'no-usable-challenge' && err.causes.map((c) => c.reason).join() === 'not-digest,unsupported-algorithm',
    );
    assert.throws(() => selectChallenges([]), DigestChallengeError);
  });
});

describe('DigestClient', () => {
  const REQ = { method: 'REGISTER', uri: 'sip:example.com' };
  function client(creds: Record<string, { username: string; password: string }> = { 'example.com': { username: '8100', password: 'pw' } }) {
    const lookups: CredentialQuery[] = [];
    let n = 0;
    const c = new DigestClient({
      user: '8100',
      lookup: (q) => {
        lookups.push(q);
        return creds[q.realm];
      },
      cnonce: () => `cn${++n}`,
    });
    return { c, lookups };
  }

  it('answers a 401, then reuses the nonce with nc+1 on the next request', () => {
    const { c, lookups } = client();
    const first = c.start(REQ);
    assert.deepEqual(first.headers(), []);
    const out = first.onChallenge(401, ['Digest realm="example.com", nonce="N1", qop="auth", algorithm=SHA-256']);
    assert.equal(out.kind, 'retry');
    if (out.kind !== 'retry') return;
    assert.equal(out.headers.length, 1);
    assert.equal(out.headers[0]?.name, 'Authorization');
    const d1 = directives(out.headers[0]?.value ?? '');
    assert.deepEqual([d1.nonce, d1.nc, d1.cnonce, d1.username, d1.algorithm], ['N1', '00000001', 'cn1', '8100', 'SHA-256']);
    assert.deepEqual(lookups, [{ realm: 'example.com', user: '8100' }]);

    const second = c.start({ method: 'REGISTER', uri: 'sip:example.com' });
    const h = second.headers();
    assert.equal(h.length, 1);
    const d2 = directives(h[0]?.value ?? '');
    assert.deepEqual([d2.nonce, d2.nc, d2.cnonce], ['N1', '00000002', 'cn2']);
    assert.equal(second.headers(), h, 'headers() is idempotent');
    assert.equal(lookups.length, 1);
  });

  it('stale=true is retried once with the same credentials and no lookup; then rejected', () => {
    const { c, lookups } = client();
    const a = c.start(REQ);
    assert.equal(a.onChallenge(401, ['Digest realm="example.com", nonce="N1", qop="auth"']).kind, 'retry');
    const stale = a.onChallenge(401, ['Digest realm="example.com", nonce="N2", qop="auth", stale=TRUE']);
    assert.equal(stale.kind, 'retry');
    if (stale.kind === 'retry') assert.deepEqual([directives(stale.headers[0]?.value ?? '').nonce, directives(stale.headers[0]?.value ?? '').nc], ['N2', '00000001']);
    assert.equal(lookups.length, 1);
    assert.deepEqual(a.onChallenge(401, ['Digest realm="example.com", nonce="N3", qop="auth", stale=true']), { kind: 'fail', reason: 'rejected', realm: 'example.com' });
    assert.deepEqual(c.realms, [], 'refused credentials are forgotten');
  });

  it('a non-stale challenge after our answer means wrong credentials', () => {
    const { c } = client();
    const a = c.start(REQ);
    a.onChallenge(401, ['Digest realm="example.com", nonce="N1"']);
    assert.deepEqual(a.onChallenge(401, ['Digest realm="example.com", nonce="N2"']), { kind: 'fail', reason: 'rejected', realm: 'example.com' });
  });

  it('a preemptive answer refused as stale is answered without a lookup', () => {
    const { c, lookups } = client();
    c.start(REQ).onChallenge(401, ['Digest realm="example.com", nonce="N1", qop=auth']);
    const b = c.start(REQ);
    assert.equal(b.headers().length, 1);
    const out = b.onChallenge(401, ['Digest realm="example.com", nonce="N2", qop=auth, stale=true']);
    assert.equal(out.kind, 'retry');
    assert.equal(lookups.length, 1);
  });

  it('407 then 401 (proxy and registrar realms): the retry carries both headers', () => {
    const { c } = client({ proxy: { username: 'p', password: '1' }, 'example.com': { username: 'r', password: '2' } });
    const a = c.start(REQ);
    const o1 = a.onChallenge(407, ['Digest realm="proxy", nonce="P1", qop=auth']);
    assert.ok(o1.kind === 'retry' && o1.headers.length === 1 && o1.headers[0]?.name === 'Proxy-Authorization');
    const o2 = a.onChallenge(401, ['Digest realm="example.com", nonce="R1", qop=auth']);
    assert.equal(o2.kind, 'retry');
    if (o2.kind !== 'retry') return;
    assert.deepEqual(o2.headers.map((h) => [h.name, directives(h.value).realm, directives(h.value).nc]), [
      ['Proxy-Authorization', 'proxy', '00000002'],
      ['Authorization', 'example.com', '00000001'],
    ]);
  });

  it('fails cleanly: no credentials, bad challenge, too many challenges', () => {
    const { c } = client({});
    assert.deepEqual(c.start(REQ).onChallenge(401, ['Digest realm="other", nonce="n"']), { kind: 'fail', reason: 'no-credentials', realm: 'other' });
    const bad = c.start(REQ).onChallenge(401, ['Digest realm="r"']);
    assert.ok(bad.kind === 'fail' && bad.reason === 'bad-challenge' && bad.error.reason === 'no-usable-challenge');
    const { c: c2 } = client({ a: { username: 'u', password: 'p' }, b: { username: 'u', password: 'p' }, c: { username: 'u', password: 'p' }, d: { username: 'u', password: 'p' }, e: { username: 'u', password: 'p' } });
    const a = c2.start(REQ);
    for (const realm of ['a', 'b', 'c', 'd']) assert.equal(a.onChallenge(407, [`Digest realm="${realm}", nonce="n"`]).kind, 'retry');
    assert.deepEqual(a.onChallenge(407, ['Digest realm="e", nonce="n"']), { kind: 'fail', reason: 'too-many-challenges' });
  });

  it('the default cnonce is random hex; preemptive can be turned off; forget() drops state', () => {
    const c = new DigestClient({ user: 'u', lookup: () => ({ username: 'u', password: 'p' }), preemptive: false });
    const o = c.start(REQ).onChallenge(401, ['Digest realm="r", nonce="n", qop=auth']);
    assert.ok(o.kind === 'retry' && /^[0-9a-f]{16}$/.test(directives(o.headers[0]?.value ?? '').cnonce ?? ''));
    assert.deepEqual(c.start(REQ).headers(), []);
    assert.deepEqual(c.realms, ['r']);
    c.forget('r');
    assert.deepEqual(c.realms, []);
  });
});
