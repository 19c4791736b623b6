import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describeConnection, neonDirectFor, parseConnection, passwordOf, sameEndpoint, type ConnectionSettings, type Environment } from './connection.ts';
import { maskSecrets } from './secrets.ts';

const parse = (text: string, env: Environment = {}): ConnectionSettings => parseConnection(text, { source: 'DATABASE_URL', env });
const refused = (text: string, env: Environment, why: RegExp, secret?: string): void =>
  assert.throws(
    () => parse(text, env),
    (e: Error) => {
      assert.match(e.message, why);
      if (secret) assert.ok(!e.message.includes(secret), `the error quotes the secret: ${e.message}`);
      return true;
    },
  );

test('a URL is parsed once into settings; the target is described as host:port/db (user), never with its password', () => {
  const s = parse('postgres://etl:s3cr%40t@db.example.com:6543/reviews?sslmode=verify-full&application_name=nightly');
  assert.deepEqual(
    { host: s.host, port: s.port, database: s.database, user: s.user, sslmode: s.sslmode, app: s.applicationName, local: s.local },
    { host: 'db.example.com', port: 6543, database: 'reviews', user: 'etl', sslmode: 'verify-full', app: 'nightly', local: false },
  );
  assert.equal(passwordOf(s), 's3cr@t');
  assert.equal(describeConnection(s), 'db.example.com:6543/reviews (etl)');
  for (const text of [JSON.stringify(s), inspect(s, { showHidden: true, depth: 5 }), String(s), describeConnection(s)]) {
    assert.ok(!text.includes('s3cr'), text);
  }
  assert.equal(describeConnection(parse('postgresql://u@[::1]:5433/d')), '[::1]:5433/d (u)');
  assert.equal(passwordOf(parse('postgres://u@h/d?sslmode=require')), undefined);
});

test('libpq key=value strings, with quoting and escapes', () => {
  const s = parse(`host=db.example.com port=5433 dbname='my db' user=etl password='it\\'s a \\\\ "secret"' sslmode=require`);
  assert.equal(describeConnection(s), 'db.example.com:5433/my db (etl)');
  assert.equal(passwordOf(s), `it's a \\ "secret"`);
  assert.equal(passwordOf(parse('host=localhost password=un\\ quoted')), 'un quoted');
  refused(`host=h password='never closed`, {}, /quoted value of `password` has no closing quote/, 'never closed');
  refused('host=h password=a b', {}, /expected keyword=value at character 19/);
  refused('host=h frobnicate=1', {}, /unknown connection parameter `frobnicate` \(known: host, hostaddr, port/);
  refused('host=h password=first secondword=x', {}, /an unknown parameter after the password/, 'secondword');
  refused('postgres://u@h/d?password=abc&tail=x', {}, /an unknown parameter after the password/, 'tail');
});

test('PG* variables complete the string as libpq does; what the string says wins', () => {
  const env = { PGHOST: 'pg.example.com', PGPORT: '6000', PGUSER: 'envuser', PGPASSWORD: 'env-pw', PGDATABASE: 'envdb', PGSSLMODE: 'verify-ca' };
  const fromEnv = parse('postgres://', env);
  assert.equal(describeConnection(fromEnv), 'pg.example.com:6000/envdb (envuser)');
  assert.equal(passwordOf(fromEnv), 'env-pw');
  assert.equal(fromEnv.passwordSource, 'PGPASSWORD');
  assert.equal(fromEnv.sslmode, 'verify-ca');
  const mixed = parse('postgres://u:url-pw@h2/d?sslmode=require', env);
  assert.equal(describeConnection(mixed), 'h2:6000/d (u)');
  assert.equal(passwordOf(mixed), 'url-pw');
  assert.equal(mixed.passwordSource, 'DATABASE_URL');
  assert.equal(mixed.sslmode, 'require');
  refused('postgres://u@h/d', { PGPORT: 'abc' }, /^PGPORT: port must be a whole number from 1 to 65535$/);
  refused('postgres://u@h/d', { PGSSLMODE: 'sometimes' }, /^PGSSLMODE: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full$/);
});

test('the effective host and TLS mode are resolved after every override', () => {
  const mode = (text: string, env: Environment = {}) => {
    const s = parse(text, env);
    return `${s.local ? 'local' : 'remote'} ${s.sslmode}${s.warnings.length ? ' +warning' : ''}`;
  };
  assert.equal(mode('postgres://u@127.0.0.1/db'), 'local disable');
  assert.equal(mode('postgres://u@localhost/db'), 'local disable');
  assert.equal(mode('postgres://u@127.0.0.9/db'), 'local disable');
  assert.equal(mode('postgres://u@%2Fvar%2Frun%2Fpostgresql/db'), 'local disable');
  assert.equal(mode('postgres://u@ep-x.neon.tech/db'), 'remote require');
  assert.equal(mode('postgres://u@ep-x.neon.tech/db?ssl=true'), 'remote require');
  assert.equal(mode('postgres://u@ep-x.neon.tech/db?sslmode=prefer'), 'remote prefer');
  assert.equal(mode('postgres://u@ep-x.neon.tech/db?sslmode=disable'), 'remote disable +warning');
  assert.equal(mode('postgres://u@ep-x.neon.tech/db', { PGSSLMODE: 'disable' }), 'remote disable +warning');
  assert.equal(mode('postgres://u@127.0.0.1/db?ssl=0'), 'local disable');
  // The URL's host is overridden by ?host= and dialled through ?hostaddr=: those decide.
  assert.equal(mode('postgres://u@localhost/db?host=db.example.com'), 'remote require');
  assert.equal(mode('postgres://u@localhost/db?hostaddr=192.0.2.7'), 'remote require');
  assert.equal(mode('postgres://u@db.example.com/db?hostaddr=127.0.0.1'), 'local disable');
  assert.equal(mode('postgres:///db', { PGHOST: 'db.example.com' }), 'remote require');
  assert.equal(mode('host=db.example.com dbname=x'), 'remote require');
  assert.equal(describeConnection(parse('postgres://u@localhost/db?host=db.example.com&hostaddr=192.0.2.7')), 'db.example.com (192.0.2.7):5432/db (u)');

  const plaintext = /refusing to connect to .* without TLS: .*sslmode=require .* say sslmode=disable/;
  refused('postgres://u:pw@db.example.com/db?ssl=0', {}, plaintext);
  refused('postgres://u:pw@db.example.com/db?ssl=false', {}, plaintext);
  refused('postgres://u:pw@localhost/db?host=db.example.com&ssl=0', {}, plaintext);
  refused('postgres://u:pw@127.0.0.1/db?hostaddr=192.0.2.7&ssl=0', {}, plaintext);
  refused('postgres://u@h/db?ssl=0&sslmode=require', {}, /ssl=0 and sslmode=require contradict each other/);
  refused('postgres://u@h/db?sslmode=disable&channel_binding=require', {}, /channel_binding=require needs TLS, but sslmode=disable/);
  refused('postgres://u@localhost/db?channel_binding=require', {}, /channel_binding=require needs TLS/);
  refused('postgres://u@h/db?sslmode=sometimes', {}, /sslmode must be one of/);
  refused('postgres://u@h1,h2/db', {}, /several hosts are not supported/);
  refused('postgres://u@h/db?hostaddr=not-an-ip', {}, /hostaddr must be a numeric IP address/);
});

test('malformed strings are described, never quoted', () => {
  const secret = 'Hunter2xyz';
  const cases: [string, RegExp][] = [
    [`postgres://u:${secret}@h:notaport/db`, /port must be a whole number/],
    [`postgres://u:${secret}#x@h/db`, /a raw # is not allowed.*percent-encode/],
    [`postgres://u:${secret}/x@h/db`, /@ after its host.*percent-encode/],
    [`postgres://u:${secret}?x@h/db`, /@ after its host/],
    [`postgres://u:${secret}%zz@h/db`, /password has a % that does not start a valid %XX escape/],
    [`mysql://u:${secret}@h/db`, /starts with postgres:\/\/ or postgresql:\/\//],
    [`u:${secret}@h/db`, /not a connection string/],
    [`postgres://u:${secret}`, /port must be a whole number/],
  ];
  for (const [text, why] of cases) refused(text, {}, why, secret);
});

test('DATABASE_URL_DIRECT and the target: a Neon pooler and its direct endpoint are one database, anything else is not', () => {
  const pooled = parse('postgres://u:p@ep-cool-123-pooler.eu.aws.neon.tech/app');
  const direct = neonDirectFor(pooled)!;
  assert.equal(describeConnection(direct), 'ep-cool-123.eu.aws.neon.tech:5432/app (u)');
  assert.equal(passwordOf(direct), 'p');
  assert.ok(sameEndpoint(pooled, direct));
  assert.equal(neonDirectFor(parse('postgres://u@localhost/app')), null);
  assert.ok(!sameEndpoint(pooled, parse('postgres://u:p@ep-cool-123.eu.aws.neon.tech/other')));
  assert.ok(!sameEndpoint(pooled, parse('postgres://u:p@ep-other.eu.aws.neon.tech/app')));
  assert.ok(!sameEndpoint(pooled, parse('postgres://u:p@ep-cool-123.eu.aws.neon.tech:5433/app')));
});

test('maskSecrets, the last line of defence for URLs inside foreign text', () => {
  assert.equal(maskSecrets('connect postgres://etl:s3cr%40t@host:5432/db failed'), 'connect postgres://etl:****@host:5432/db failed');
  assert.equal(maskSecrets('postgresql://u:p@h/d and postgres://v:q@i/e'), 'postgresql://u:****@h/d and postgres://v:****@i/e');
  assert.equal(maskSecrets('postgres://nopass@h/d'), 'postgres://nopass@h/d');
  assert.equal(maskSecrets(`host=h password='a \\' b' user=u`), 'host=h password=**** user=u');
});

/** Markers around a random middle: any fragment that leaks with either end is found. */
const HEAD = 'Pw0head';
const TAIL = 'Pw9tail';
const middle = fc.string({ unit: fc.oneof(fc.constantFrom(...`'" #/?@:%&=\\;$+,[]{}\t`), fc.constantFrom('é', 'ß', '€', '中', '😀'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), maxLength: 24 });
const leaks = (text: string): boolean => text.includes(HEAD) || text.includes(TAIL);

test('property: any password, in any form, is either used exactly or refused, and never appears in what strata builds', () => {
  fc.assert(
    fc.property(middle, fc.constantFrom('encoded-url', 'raw-url', 'raw-query', 'keyword-value', 'raw-keyword-value', 'PGPASSWORD'), fc.boolean(), (mid, form, remote) => {
      const password = HEAD + mid.replaceAll('\0', '') + TAIL;
      const host = remote ? 'db.example.com' : '127.0.0.1';
      const kv = `'${password.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
      const [text, env]: [string, Environment] = {
        'encoded-url': [`postgres://etl:${encodeURIComponent(password)}@${host}:5432/app?sslmode=require`, {}],
        'raw-url': [`postgres://etl:${password}@${host}:5432/app?sslmode=require`, {}],
        'raw-query': [`postgres://etl@${host}:5432/app?sslmode=require&password=${password}`, {}],
        'keyword-value': [`host=${host} user=etl password=${kv} dbname=app sslmode=require`, {}],
        'raw-keyword-value': [`host=${host} user=etl dbname=app sslmode=require password=${password}`, {}],
        PGPASSWORD: [`postgres://etl@${host}/app`, { PGPASSWORD: password }],
      }[form] as [string, Environment];
      let settings: ConnectionSettings;
      try {
        settings = parse(text, env);
      } catch (err) {
        const message = (err as Error).message;
        assert.ok(!leaks(message), `error leaks the password: ${message}`);
        assert.ok(form.startsWith('raw-'), `only an unencoded or unquoted password may be refused: ${message}`);
        return;
      }
      const outputs = [describeConnection(settings), JSON.stringify(settings), inspect(settings, { showHidden: true, depth: 5 }), ...settings.warnings];
      const used = passwordOf(settings) ?? '';
      if (used !== password) {
        // Only an unencoded string can mean something else than intended (a raw & starts
        // another parameter, as in libpq); whatever it took as the password stays hidden.
        assert.ok(form.startsWith('raw-'), `${form}: the password was changed`);
        for (const out of outputs) assert.ok(used.length < 6 || !out.includes(used), out);
        return;
      }
      assert.equal(describeConnection(settings), `${host}:5432/app (etl)`);
      for (const out of outputs) assert.ok(!leaks(out), out);
    }),
    { numRuns: 2000 },
  );
});
