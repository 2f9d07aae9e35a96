/**
 * A lean reader of the ListObjectsV2 response (ListBucketResult XML), pure.
 *
 * Why not the SDK's: measured on s3rver, full scans with @aws-sdk/client-s3's deserializer
 * (fast-xml-parser, then a generated shape walker, then per-field Date/number parsing) ran at
 * 0.77× rclone's keys/s; the same indexOf reader as azure-list-xml.ts allocates only the results.
 * It reads what S3 documents for ListObjectsV2: `<Contents>` (Key, LastModified, ETag, Size) and
 * `<CommonPrefixes><Prefix>` in key order, `<IsTruncated>`, `<NextContinuationToken>`, each entry's
 * `<StorageClass>` and (asked for with `x-amz-optional-object-attributes: RestoreStatus`) its
 * `<RestoreStatus>` (IsRestoreInProgress, RestoreExpiryDate), and with
 * `encoding-type=url` in the request, `<EncodingType>url</EncodingType>` telling that Key and Prefix
 * values are URL-encoded (the only way a key holding characters XML 1.0 cannot carry is listed).
 */
import type { ObjectInfo } from './types.js';
import { decodeXmlText, element, interned } from './xml-scan.js';

export interface ListObjectsPage {
  objects: ObjectInfo[];
  prefixes: string[];
  /** Continuation token for the next request; '' on the last page. */
  nextToken: string;
}

/**
 * S3's `encoding-type=url` form: percent-encoding with '+' for a space (as botocore's
 * unquote_plus reads it; a literal '+' arrives as %2B).
 */
export function decodeS3Url(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

const CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'REDUCED_REDUNDANCY',
  'EXPRESS_ONEZONE',
  'OUTPOSTS',
  'SNOW',
];

/** An entry's storage class and restore status, when the listing gives them. */
function tierFields(el: string): Pick<ObjectInfo, 'tier' | 'restore'> {
  const out: Pick<ObjectInfo, 'tier' | 'restore'> = {};
  const cls = element(el, 'StorageClass', 0, el.length);
  if (cls?.trim()) out.tier = interned(decodeXmlText(cls).trim(), CLASSES);
  const status = element(el, 'RestoreStatus', 0, el.length);
  if (status !== undefined) {
    const ongoing = element(status, 'IsRestoreInProgress', 0, status.length)?.trim().toLowerCase() === 'true';
    const expiry = element(status, 'RestoreExpiryDate', 0, status.length)?.trim();
    const when = expiry ? new Date(decodeXmlText(expiry)) : undefined;
    // Neither in progress nor an expiry: nothing to say (S3 omits the element for objects never restored).
    if (ongoing) out.restore = { state: 'pending' };
    else if (when && !Number.isNaN(when.getTime())) out.restore = { state: 'restored', expiry: when };
  }
  return out;
}

/** Parses one ListObjectsV2 response body. Throws on a body that is not a whole ListBucketResult. */
export function parseListObjectsV2(xml: string): ListObjectsPage {
  const root = xml.indexOf('<ListBucketResult');
  if (root === -1) throw new Error('ListObjectsV2 answered something that is not a ListBucketResult document');
  // A body cut short would otherwise read as a shorter, complete page.
  if (xml.lastIndexOf('</ListBucketResult>') === -1)
    throw new Error('ListObjectsV2 response is truncated (</ListBucketResult> is missing)');
  // Next <Contents> and <CommonPrefixes> at or after a position, each searched again only once
  // passed: a page holding only one kind must not rescan the document for the other per entry.
  let nextC = xml.indexOf('<Contents>', root);
  let nextP = xml.indexOf('<CommonPrefixes>', root);
  const entryAt = (from: number): number => {
    if (nextC !== -1 && nextC < from) nextC = xml.indexOf('<Contents>', from);
    if (nextP !== -1 && nextP < from) nextP = xml.indexOf('<CommonPrefixes>', from);
    return nextC === -1 ? nextP : nextP === -1 ? nextC : Math.min(nextC, nextP);
  };
  const firstEntry = entryAt(root);
  // Fields of the result itself: before the entries (S3) or after them (some S3-compatible stores).
  const field = (tag: string): string | undefined => {
    const v = element(xml, tag, root, firstEntry === -1 ? xml.length : firstEntry);
    if (v !== undefined || firstEntry === -1) return v;
    const lastClose = Math.max(xml.lastIndexOf('</Contents>'), xml.lastIndexOf('</CommonPrefixes>'));
    return element(xml, tag, lastClose, xml.length);
  };
  const encoded = field('EncodingType')?.trim().toLowerCase() === 'url';
  const text = (raw: string) => (encoded ? decodeS3Url(decodeXmlText(raw)) : decodeXmlText(raw));

  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  let i = firstEntry;
  while (i !== -1) {
    const isPrefix = xml.startsWith('<CommonPrefixes>', i);
    const closeTag = isPrefix ? '</CommonPrefixes>' : '</Contents>';
    const end = xml.indexOf(closeTag, i);
    if (end === -1) throw new Error('ListObjectsV2 response is truncated (an entry is not closed)');
    // Searched on its own (a cheap sliced string): a field absent from one entry must not send
    // indexOf through the rest of a 1000-key document.
    const el = xml.slice(i, end);
    if (isPrefix) {
      const p = element(el, 'Prefix', 0, el.length);
      if (p === undefined) throw new Error('ListObjectsV2 response has a common prefix without a Prefix');
      prefixes.push(text(p));
    } else {
      const rawKey = element(el, 'Key', 0, el.length);
      if (rawKey === undefined) throw new Error('ListObjectsV2 response has an entry without a Key');
      const key = text(rawKey);
      const modified = element(el, 'LastModified', 0, el.length);
      const size = element(el, 'Size', 0, el.length);
      const etag = element(el, 'ETag', 0, el.length);
      const info: ObjectInfo = {
        key,
        size: size ? Number(size) : 0,
        lastModified: modified ? new Date(modified) : new Date(0),
        etag: etag ? decodeXmlText(etag).replace(/"/g, '') || undefined : undefined,
        ...tierFields(el),
      };
      if (key.endsWith('/')) info.isFolder = true;
      objects.push(info);
    }
    i = entryAt(end + closeTag.length);
  }
  const truncated = field('IsTruncated')?.trim().toLowerCase() === 'true';
  const token = field('NextContinuationToken');
  const nextToken = token ? decodeXmlText(token) : '';
  // Stopping here would drop the rest of the listing without a word.
  if (truncated && !nextToken) throw new Error('ListObjectsV2 response is truncated but carries no NextContinuationToken');
  return { objects, prefixes, nextToken };
}

/**
 * The NextContinuationToken a ListObjectsV2 body names ahead of its entries (where S3 and s3rver
 * put it), found without reading the entries; '' when there is none there. Only a hint to start
 * the next request early: the page's own parse (parseListObjectsV2) decides which token is used.
 */
export function leadingNextToken(xml: string): string {
  const root = xml.indexOf('<ListBucketResult');
  if (root === -1) return '';
  const c = xml.indexOf('<Contents>', root);
  const p = xml.indexOf('<CommonPrefixes>', root);
  const entry = c === -1 ? p : p === -1 ? c : Math.min(c, p);
  const token = element(xml, 'NextContinuationToken', root, entry === -1 ? xml.length : entry);
  return token ? decodeXmlText(token) : '';
}
