/**
 * The lean ListObjectsV2 reader (src/providers/s3-list-xml.ts), pure: the shapes S3 and s3rver
 * send, entities, CommonPrefixes, continuation tokens, encoding-type=url keys, truncated bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeS3Url, leadingNextToken, parseListObjectsV2 } from '../src/providers/s3-list-xml.js';

const head = (extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>${extra}<MaxKeys>1000</MaxKeys>`;
const contents = (key: string, more = '') =>
  `<Contents><Key>${key}</Key><LastModified>2026-01-05T17:00:01.000Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass>${more}</Contents>`;
const cp = (p: string) => `<CommonPrefixes><Prefix>${p}</Prefix></CommonPrefixes>`;
const tail = '</ListBucketResult>';

test('objects and common prefixes, each in document order; the result Prefix is not a common prefix', () => {
  const xml = `${head('<KeyCount>3</KeyCount><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>')}${contents('p/a.txt')}${contents('p/b.txt')}${cp('p/a/')}${cp('p/c/')}${tail}`;
  const page = parseListObjectsV2(xml);
  assert.deepEqual(
    page.objects.map((o) => o.key),
    ['p/a.txt', 'p/b.txt'],
  );
  assert.deepEqual(page.prefixes, ['p/a/', 'p/c/']);
  assert.equal(page.nextToken, '');
  assert.deepEqual(page.objects[0], {
    key: 'p/a.txt',
    size: 1234,
    lastModified: new Date('2026-01-05T17:00:01.000Z'),
    etag: '9dd4e461268c8034f5c8564e155c67a6',
    tier: 'STANDARD',
  });
});

test('storage class and RestoreStatus (asked for with x-amz-optional-object-attributes): ongoing, restored until, absent', () => {
  const status = (inner: string) => `<RestoreStatus>${inner}</RestoreStatus>`;
  const xml = `${head('<IsTruncated>false</IsTruncated>')}${contents('p/a', '').replace('STANDARD', 'GLACIER')}${contents('p/b', status('<IsRestoreInProgress>true</IsRestoreInProgress>')).replace('STANDARD', 'DEEP_ARCHIVE')}${contents('p/c', status('<IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2026-03-02T00:00:00.000Z</RestoreExpiryDate>')).replace('STANDARD', 'GLACIER')}${contents('p/d').replace('<StorageClass>STANDARD</StorageClass>', '')}${contents('p/e').replace('STANDARD', 'SOME_NEW_CLASS')}${tail}`;
  const [a, b, c, d, e] = parseListObjectsV2(xml).objects;
  assert.deepEqual([a.tier, a.restore], ['GLACIER', undefined]);
  assert.deepEqual([b.tier, b.restore], ['DEEP_ARCHIVE', { state: 'pending' }]);
  assert.deepEqual([c.tier, c.restore], ['GLACIER', { state: 'restored', expiry: new Date('2026-03-02T00:00:00Z') }]);
  assert.deepEqual([d.tier, d.restore], [undefined, undefined]);
  assert.equal(e.tier, 'SOME_NEW_CLASS');
});

test('entities and numeric references in keys, prefixes and tokens', () => {
  const xml = `${head('<NextContinuationToken>1rfg+/&amp;x=</NextContinuationToken><IsTruncated>true</IsTruncated>')}${contents('p/b &amp; &lt;c&gt; &#233;&#x1F600; &quot;q&quot; &apos;a&apos;.txt')}${cp('p/&amp;/')}${tail}`;
  const page = parseListObjectsV2(xml);
  assert.equal(page.objects[0]!.key, `p/b & <c> é😀 "q" 'a'.txt`);
  assert.deepEqual(page.prefixes, ['p/&/']);
  assert.equal(page.nextToken, '1rfg+/&x=');
});

test('encoding-type=url: keys and prefixes decoded (+ is a space, %2B a plus), the token is not', () => {
  const xml = `${head('<NextContinuationToken>a+b%2F</NextContinuationToken><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>')}${contents('p/a+b%2Bc%25d%0A%01%E2%82%AC.txt')}${contents('p/x%2F')}${cp('p/sp+ace%26/')}${tail}`;
  const page = parseListObjectsV2(xml);
  assert.deepEqual(
    page.objects.map((o) => o.key),
    ['p/a b+c%d\n\u0001€.txt', 'p/x/'],
  );
  assert.equal(page.objects[1]!.isFolder, true, 'a key ending in / is a folder marker');
  assert.deepEqual(page.prefixes, ['p/sp ace&/']);
  assert.equal(page.nextToken, 'a+b%2F');
});

test('without EncodingType in the answer, % and + in keys are literal (a store that ignores encoding-type)', () => {
  const page = parseListObjectsV2(`${head()}${contents('p/100%25+more.txt')}<IsTruncated>false</IsTruncated>${tail}`);
  assert.equal(page.objects[0]!.key, 'p/100%25+more.txt');
});

test('result fields after the entries (some S3-compatible stores) are read too', () => {
  const page = parseListObjectsV2(
    `${head()}${contents('p/a')}${cp('p/z/')}<IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>${tail}`,
  );
  assert.equal(page.nextToken, 'tok');
  assert.deepEqual(page.prefixes, ['p/z/']);
});

test('an empty listing, and an empty bucket answer with a self-closed Prefix', () => {
  for (const xml of [
    `${head('<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>')}${tail}`,
    '<?xml version="1.0"?><ListBucketResult><Name>b</Name><Prefix/><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>',
  ]) {
    const page = parseListObjectsV2(xml);
    assert.deepEqual(page, { objects: [], prefixes: [], nextToken: '' });
  }
});

test('absent or empty optional fields: size 0, epoch time, no etag', () => {
  const page = parseListObjectsV2(`${head()}<Contents><Key>p/bare</Key><ETag/></Contents>${tail}`);
  assert.deepEqual(page.objects[0], { key: 'p/bare', size: 0, lastModified: new Date(0), etag: undefined });
});

test('tags that only start like a field (<KeyCount>, <Sizes>) are not taken for it', () => {
  const page = parseListObjectsV2(
    `${head()}<Contents><KeyX>no</KeyX><Key>p/k</Key><Sizes>9</Sizes><Size>7</Size><LastModified>2026-01-05T00:00:00Z</LastModified></Contents>${tail}`,
  );
  assert.equal(page.objects[0]!.key, 'p/k');
  assert.equal(page.objects[0]!.size, 7);
});

test('bodies that must not read as a complete page', () => {
  const cases: Array<[string, RegExp]> = [
    ['<Error><Code>AccessDenied</Code></Error>', /not a ListBucketResult/],
    [`${head()}${contents('p/a')}<Contents><Key>p/b</Key>`, /truncated/],
    [`${head()}${contents('p/a')}`, /truncated/],
    [`${head('<IsTruncated>true</IsTruncated>')}${contents('p/a')}${tail}`, /no NextContinuationToken/],
    [`${head()}<Contents><Size>1</Size></Contents>${tail}`, /without a Key/],
    [`${head()}<CommonPrefixes></CommonPrefixes>${tail}`, /without a Prefix/],
    [`${head('<EncodingType>url</EncodingType>')}${contents('p/%E2%82')}${tail}`, /URI/],
  ];
  for (const [xml, re] of cases) assert.throws(() => parseListObjectsV2(xml), re, xml);
});

test('leadingNextToken: the token ahead of the entries, as the whole parse reads it; none when it comes after them', () => {
  const ahead = `${head('<NextContinuationToken>1rfg+/&amp;x=</NextContinuationToken><IsTruncated>true</IsTruncated>')}${contents('p/a')}${tail}`;
  assert.equal(leadingNextToken(ahead), '1rfg+/&x=');
  assert.equal(leadingNextToken(ahead), parseListObjectsV2(ahead).nextToken);
  // After the entries (some S3-compatible stores): left to the whole parse.
  const after = `${head('<IsTruncated>true</IsTruncated>')}${contents('p/a')}<NextContinuationToken>t</NextContinuationToken>${tail}`;
  assert.equal(leadingNextToken(after), '');
  assert.equal(leadingNextToken(`${head('<IsTruncated>false</IsTruncated>')}${contents('p/a')}${tail}`), '');
  assert.equal(leadingNextToken('<Error><Code>SlowDown</Code></Error>'), '');
});

test('decodeS3Url', () => {
  const rows: Array<[string, string]> = [
    ['plain/key.txt', 'plain/key.txt'],
    ['a+b', 'a b'],
    ['a%2Bb', 'a+b'],
    ['%E6%97%A5%E6%9C%AC', '日本'],
    ['%25%2F%3F%23', '%/?#'],
  ];
  for (const [enc, dec] of rows) assert.equal(decodeS3Url(enc), dec, enc);
});

test('a 1000-key page keeps every key, in order', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `logs/2026/01/05/${String(i).padStart(4, '0')}.json.gz`);
  const page = parseListObjectsV2(
    `${head('<NextContinuationToken>t</NextContinuationToken><IsTruncated>true</IsTruncated>')}${keys.map((k) => contents(k)).join('')}${tail}`,
  );
  assert.deepEqual(
    page.objects.map((o) => o.key),
    keys,
  );
  assert.equal(page.nextToken, 't');
});
