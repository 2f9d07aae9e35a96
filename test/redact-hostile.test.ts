/**
 * Issue #10 item 6, the pure part: redact() against a secret in any number of percent-encodings,
 * in base64/base64url at any alignment, and secret-bearing keys whose `=`/`&` are encoded.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { redact, registerSecret, clearSecrets } from '../src/redact.js';

/** A SAS signature with every character class that percent-encoding touches (+ / =). */
const SIG = 'cR1s+Ab/9xQ7kLmN0pQr5tUvWxYz12/34+56EfGhIjK=';
// Older Entra/AAD secrets carry + / = [ ] : @ besides ~ . _ -, all of which encoders treat differently.
const CLIENT_SECRET = 'cs~Q8x.Yz_12+34/56=ab[cd]ef@gh:ij~klmnop';
const encN = (s: string, n: number) => Array.from({ length: n }).reduce<string>((acc) => encodeURIComponent(acc), s);
const form = (s: string) => new URLSearchParams({ x: s }).toString().slice(2);

/** Every shape of `secret` a service might echo; redacted output must contain none of them. */
export function shapesOf(secret: string): string[] {
  const out = new Set<string>([secret]);
  for (let n = 1; n <= 4; n++) {
    out.add(encN(secret, n));
    out.add(encN(secret, n).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  out.add(form(secret));
  // Form-encoded (which also escapes ~ ! ' ( ) *), then URL-encoded again by an echoing service.
  for (let n = 0; n <= 3; n++) out.add(encN(new URLSearchParams({ x: secret }).toString().slice(2), n));
  out.add(Buffer.from(secret).toString('base64'));
  out.add(Buffer.from(secret).toString('base64url'));
  out.add(Buffer.from(encodeURIComponent(secret)).toString('base64'));
  return [...out];
}

beforeEach(() => clearSecrets());

test('a registered secret in 0-4 percent-encodings (either hex case), form encoding and base64', () => {
  registerSecret(SIG);
  for (const shape of shapesOf(SIG)) {
    const r = redact(`the service said: <Message>bad request ${shape} here</Message>`);
    assert.equal(r, '<Message>bad request REDACTED here</Message>'.replace(/^/, 'the service said: '), `shape ${shape}`);
  }
});

test('base64 of a longer text holding the secret, at every alignment', () => {
  registerSecret(CLIENT_SECRET);
  for (const prefix of ['', 'a', 'ab', 'abc', 'client_id=1&client_secret=']) {
    for (const b64 of [
      Buffer.from(`${prefix}${CLIENT_SECRET}&scope=x`).toString('base64'),
      Buffer.from(`${prefix}${CLIENT_SECRET}`).toString('base64url'),
    ]) {
      const r = redact(`token: ${b64}`);
      assert.ok(r.includes('REDACTED'), `${prefix}: ${r}`);
      for (const shape of shapesOf(CLIENT_SECRET)) assert.ok(!r.includes(shape), `${prefix}: ${shape} left in ${r}`);
      // Not even a recognisable 12-character piece of the base64 core survives.
      const core = Buffer.from(CLIENT_SECRET).toString('base64').slice(4, 16);
      assert.ok(!r.includes(core));
    }
  }
});

const UNKNOWN = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA+/='; // never registered: only the key patterns can catch it
const table: Array<[string, string, string]> = [
  ['plain sig', `https://a.blob.core.windows.net/c?sv=1&sig=${UNKNOWN}&se=2`, 'https://a.blob.core.windows.net/c?sv=1&sig=REDACTED&se=2'],
  ['sig first', `sig=${UNKNOWN}&sv=1`, 'sig=REDACTED&sv=1'],
  ['URL encoded once (sig%3D)', encN(`/c?sv=1&sig=${UNKNOWN}&se=2`, 1), `%2Fc%3Fsv%3D1%26sig%3DREDACTED%26se%3D2`],
  ['URL encoded twice (sig%253D)', encN(`/c?sv=1&sig=${UNKNOWN}&se=2`, 2), `%252Fc%253Fsv%253D1%2526sig%253DREDACTED%2526se%253D2`],
  ['URL encoded three times', encN(`?sig=${UNKNOWN}&x=1`, 3), `%25253Fsig%25253DREDACTED%252526x%25253D1`],
  ['lower-case hex', encN(`?sig=${UNKNOWN}&x=1`, 2).toLowerCase().replace('sig', 'sig'), `%253fsig%253dREDACTED%2526x%253d1`],
  [
    'client_secret in a form body',
    `grant_type=client_credentials&client_secret=${UNKNOWN}&scope=x`,
    'grant_type=client_credentials&client_secret=REDACTED&scope=x',
  ],
  [
    'client_secret%3D (form body echoed encoded)',
    encN(`client_id=1&client_secret=${UNKNOWN}&scope=x`, 1),
    'client_id%3D1%26client_secret%3DREDACTED%26scope%3Dx',
  ],
  ['client_secret%253D', encN(`client_id=1&client_secret=${UNKNOWN}`, 2), 'client_id%253D1%2526client_secret%253DREDACTED'],
  ['JSON member', `{"client_secret": "${UNKNOWN}", "client_id": "1"}`, '{"client_secret": "REDACTED", "client_id": "1"}'],
  ['access_token JSON', `{"access_token":"abc.def.ghi","expires_in":3599}`, '{"access_token":"REDACTED","expires_in":3599}'],
  [
    'connection string',
    `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${UNKNOWN};EndpointSuffix=core.windows.net`,
    'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net',
  ],
  ['connection string encoded', encN(`AccountName=a;AccountKey=${UNKNOWN};x=1`, 1), 'AccountName%3Da%3BAccountKey%3DREDACTED%3Bx%3D1'],
  [
    'SAS in a connection string',
    `BlobEndpoint=x;SharedAccessSignature=sv=1&sig=${UNKNOWN};`,
    'BlobEndpoint=x;SharedAccessSignature=REDACTED;',
  ],
  [
    'presigned S3',
    `?X-Amz-Credential=AKID%2F20260101%2Fus-east-1&X-Amz-Signature=abcdef0123&X-Amz-Security-Token=${UNKNOWN}`,
    '?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED',
  ],
  ['Authorization header', 'Authorization: SharedKey devstoreaccount1:abc123==', 'Authorization: SharedKey REDACTED'],
  ['Bearer anywhere', 'sent Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.x.y to the service', 'sent Bearer REDACTED to the service'],
  ['bare JWT', 'token eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3N0b3JhZ2UifQ.c2ln end', 'token REDACTED end'],
  [
    'harmless text untouched',
    'list az://acct/logs: permission denied (AuthorizationFailure) signature=design',
    'list az://acct/logs: permission denied (AuthorizationFailure) signature=design',
  ],
  ['a key merely containing sig is untouched', 'assign=1&design=2', 'assign=1&design=2'],
];
for (const [name, input, want] of table) {
  test(`key patterns: ${name}`, () => {
    assert.equal(redact(input), want);
  });
}

test('short values are not registered (they would mask ordinary words)', () => {
  registerSecret('abc');
  assert.equal(redact('abc abc'), 'abc abc');
});
