/**
 * The lean List Blobs reader (src/providers/azure-list-xml.ts), pure: the shapes the service and
 * Azurite send, entities, encoded names, absent and self-closed fields, folders, markers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeXmlText, parseListBlobs } from '../src/providers/azure-list-xml.js';

const head =
  '<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><Prefix>p/</Prefix><MaxResults>5000</MaxResults><Delimiter>/</Delimiter>';
const blob = (name: string, props: string) => `<Blob><Name>${name}</Name><Properties>${props}</Properties><OrMetadata /></Blob>`;
const full =
  '<Creation-Time>Mon, 05 Jan 2026 17:00:00 GMT</Creation-Time><Last-Modified>Mon, 05 Jan 2026 17:00:01 GMT</Last-Modified><Etag>0x8DE0000000000001</Etag>' +
  '<Content-Length>1234</Content-Length><Content-Type>application/gzip</Content-Type><Content-Encoding>gzip</Content-Encoding><Content-Language /><Content-MD5>ndTkYSaMgDT1yFZOFVxnpg==</Content-MD5><BlobType>BlockBlob</BlobType>';

test('a page with blobs, folders and a marker, in document order', () => {
  const xml = `${head}<Blobs>${blob('p/a.txt', full)}<BlobPrefix><Name>p/a/</Name></BlobPrefix>${blob('p/b &amp; &lt;c&gt; &#233;&#x1F600;.txt', '<Last-Modified>Tue, 06 Jan 2026 00:00:00 GMT</Last-Modified><Etag>"0x1"</Etag><Content-Length>0</Content-Length><Content-Type /><Content-Encoding/><Content-MD5 />')}</Blobs><NextMarker>2!72!MDAwMDExIXAvYi50eHQhMDAwMDI4ITk5OTktMTItMzFUMjM6NTk6NTkuOTk5OTk5OVoh</NextMarker></EnumerationResults>`;
  const page = parseListBlobs(xml);
  assert.deepEqual(page.prefixes, ['p/a/']);
  assert.equal(page.nextMarker, '2!72!MDAwMDExIXAvYi50eHQhMDAwMDI4ITk5OTktMTItMzFUMjM6NTk6NTkuOTk5OTk5OVoh');
  assert.deepEqual(page.objects, [
    {
      key: 'p/a.txt',
      size: 1234,
      lastModified: new Date('2026-01-05T17:00:01Z'),
      etag: '0x8DE0000000000001',
      contentMd5: 'ndTkYSaMgDT1yFZOFVxnpg==',
      contentEncoding: 'gzip',
      contentType: 'application/gzip',
    },
    {
      key: 'p/b & <c> é😀.txt',
      size: 0,
      lastModified: new Date('2026-01-06T00:00:00Z'),
      etag: '0x1',
      contentMd5: undefined,
      contentEncoding: undefined,
      contentType: undefined,
    },
  ]);
});

test('the last page: <NextMarker/> and <NextMarker></NextMarker> both end the listing', () => {
  assert.equal(parseListBlobs(`${head}<Blobs /><NextMarker/></EnumerationResults>`).nextMarker, '');
  assert.equal(parseListBlobs(`${head}<Blobs></Blobs><NextMarker></NextMarker></EnumerationResults>`).nextMarker, '');
  assert.deepEqual(parseListBlobs(`${head}<Blobs /><NextMarker /></EnumerationResults>`).objects, []);
});

test('Encoded="true" names are percent-decoded (names that are not valid XML)', () => {
  const xml = `${head}<Blobs><Blob><Name Encoded="true">p%2F%01ctl%EF%BF%BE.txt</Name><Properties><Content-Length>1</Content-Length></Properties></Blob></Blobs><NextMarker /></EnumerationResults>`;
  assert.equal(parseListBlobs(xml).objects[0].key, 'p/\u0001ctl\uFFFE.txt');
});

test('a tag whose name starts like another (<NameX>) is not mistaken for it; keys ending in / stay as given', () => {
  const xml = `${head}<Blobs><Blob><Name>p/folder/</Name><Properties><Content-Length>0</Content-Length></Properties><Metadata><hdi_isfolder>true</hdi_isfolder></Metadata></Blob></Blobs><NextMarker /></EnumerationResults>`;
  assert.equal(parseListBlobs(xml).objects[0].key, 'p/folder/');
  assert.equal(parseListBlobs(xml).objects[0].isFolder, true);
});

test('hdi_isfolder=true metadata marks a folder whose name has no trailing slash; files carry no isFolder', () => {
  const xml = `${head}<Blobs><Blob><Name>p/dir</Name><Properties><Content-Length>0</Content-Length></Properties><Metadata><hdi_isfolder>true</hdi_isfolder></Metadata></Blob><Blob><Name>p/file</Name><Properties><Content-Length>3</Content-Length></Properties><Metadata><owner>x</owner></Metadata></Blob></Blobs><NextMarker /></EnumerationResults>`;
  const [dir, file] = parseListBlobs(xml).objects;
  assert.equal(dir.isFolder, true);
  assert.equal('isFolder' in file, false);
});

test('not a listing, or truncated: a clear error, not an empty page', () => {
  assert.throws(() => parseListBlobs('<html>proxy login</html>'), /not an EnumerationResults/);
  assert.throws(() => parseListBlobs(`${head}<Blobs><Blob><Name>p/a</Name><Properties>`), /truncated/);
});

test('decodeXmlText', () => {
  assert.equal(decodeXmlText('plain'), 'plain');
  assert.equal(decodeXmlText('&quot;a&apos; &amp;amp;'), `"a' &amp;`);
});

test('access tier, and a rehydration: ArchiveStatus (any value, newer ones too) and RehydratePriority', () => {
  const tier = (t: string, more = '') =>
    `<Content-Length>5</Content-Length><AccessTier>${t}</AccessTier><AccessTierInferred>true</AccessTierInferred>${more}`;
  const xml = `${head}<Blobs>${blob('p/hot', tier('Hot'))}${blob('p/arch', tier('Archive'))}${blob('p/pend', tier('Archive', '<ArchiveStatus>rehydrate-pending-to-cold</ArchiveStatus><RehydratePriority>High</RehydratePriority>'))}${blob('p/new', tier('Archive', '<ArchiveStatus>rehydrate-pending-to-frosty</ArchiveStatus>'))}${blob('p/none', '<Content-Length>5</Content-Length>')}</Blobs><NextMarker /></EnumerationResults>`;
  const [hot, arch, pend, newer, none] = parseListBlobs(xml).objects;
  assert.deepEqual([hot.tier, hot.restore], ['Hot', undefined]);
  assert.deepEqual([arch.tier, arch.restore], ['Archive', undefined]);
  assert.deepEqual([pend.tier, pend.restore], ['Archive', { state: 'pending', status: 'rehydrate-pending-to-cold', priority: 'High' }]);
  assert.deepEqual(newer.restore, { state: 'pending', status: 'rehydrate-pending-to-frosty' });
  assert.deepEqual([none.tier, none.restore], [undefined, undefined]);
});
