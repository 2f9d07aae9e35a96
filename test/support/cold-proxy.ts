/**
 * A recording, rewriting reverse proxy in front of an emulator for what the emulators cannot show
 * of cold tiers:
 *
 * - Azurite really keeps blobs in the Archive tier and answers 409 BlobArchived on reads, but its
 *   Set Blob Tier rehydrates at once (202, and the blob is Hot): it never lists a blob as
 *   rehydrating (ArchiveStatus rehydrate-pending-to-…). The proxy overlays that state on chosen
 *   blobs (and answers their reads 409 BlobArchived, as Azure does while they rehydrate), and can
 *   make a real 202 look pending for a number of listings before letting Azurite's Hot show.
 * - s3rver lists every object as STANDARD, knows no restore and has no RestoreObject: the proxy
 *   plays Glacier for chosen keys — their StorageClass in listings, a RestoreStatus when the
 *   request asks for it (x-amz-optional-object-attributes: RestoreStatus), 403 InvalidObjectState
 *   on reads, x-amz-storage-class/x-amz-restore on HEAD, and POST ?restore answered as S3 does
 *   (202, 409 RestoreAlreadyInProgress, 200 for a restored copy, 403 InvalidObjectState).
 *
 * Every request that matters is recorded (restore and Set Blob Tier requests with their
 * parameters, object reads, listings with the attribute header), so tests assert on what the CLI
 * asked, not only on what it printed. State changes happen per listing answered, never on a timer.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeXmlText } from '../../src/providers/xml-scan.js';
import { decodeS3Url } from '../../src/providers/s3-list-xml.js';

export interface ColdState {
  /** Azure AccessTier / S3 StorageClass the listing shows. */
  tier: string;
  /** A rehydration/restore under way. Azure: the ArchiveStatus value to show (e.g. rehydrate-pending-to-hot). */
  pending?: string | true;
  priority?: string;
  /** S3: a restored copy readable until this instant. */
  restoredUntil?: Date;
  /** S3 Intelligent-Tiering: the archive access tier the object sits in (ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS); HEAD only. */
  archiveAccess?: string;
  /**
   * Listings that still show a requested restore pending: each listing page that holds the key
   * counts one, then the restore completes (Azure: the overlay goes and Azurite's own tier shows;
   * S3: restoredUntil is set). Undefined: pending until the test says otherwise.
   */
  listsLeft?: number;
}

export interface RecordedRequest {
  kind: 'restore' | 'set-tier' | 'copy' | 'get' | 'head';
  key: string;
  /** S3 restore: Days and Tier from the body; Azure set-tier/copy: the x-ms-access-tier and x-ms-rehydrate-priority headers. */
  days?: number;
  tier?: string;
  priority?: string;
  /** copy: the source key. */
  source?: string;
  status: number;
}

export interface ColdProxyOptions {
  /** Listings (of the key) that show a requested restore pending before it completes (default 1; 0: done at the next listing). */
  listsToComplete?: number;
  /** S3: the expiry a completed restore gets. */
  expiry?: Date;
  /** S3: never add RestoreStatus to listings (an S3-compatible store without it): restores show only in HEAD. */
  noRestoreStatus?: boolean;
  /** An answer to send instead of the service's for a restore request (e.g. 403 AccessDenied). */
  refuseRestore?: { status: number; code: string; message: string };
}

export interface ColdProxy {
  url: string;
  state: Map<string, ColdState>;
  requests: RecordedRequest[];
  /** Each listing request: whether it asked for RestoreStatus. */
  listings: Array<{ restoreStatusAsked: boolean }>;
  close(): Promise<void>;
}

const ARCHIVE_S3 = new Set(['GLACIER', 'DEEP_ARCHIVE']);

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The object key of a request (path after `segments` leading segments), undefined for service/container calls. */
function keyOf(url: string, segments: number): string | undefined {
  const path = url.split('?')[0];
  const segs = path.split('/').filter(Boolean);
  if (segs.length <= segments) return undefined;
  // Keep empty segments inside the key ('a//b') by splitting the raw path after the prefix.
  const prefix = `/${segs.slice(0, segments).join('/')}/`;
  return decodeURIComponent(path.slice(path.indexOf(prefix) + prefix.length));
}

export async function startColdProxy(upstream: string, provider: 'azure' | 's3', o: ColdProxyOptions = {}): Promise<ColdProxy> {
  const up = new URL(upstream);
  const state = new Map<string, ColdState>();
  const requests: RecordedRequest[] = [];
  const listings: ColdProxy['listings'] = [];
  const sockets = new Set<Socket>();
  const segments = provider === 'azure' ? 2 : 1;
  const listsToComplete = o.listsToComplete ?? 1;

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
    onAnswer: (status: number, headers: http.IncomingHttpHeaders, body: Buffer) => void,
  ) => {
    const fwd = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => onAnswer(res.statusCode ?? 502, res.headers, Buffer.concat(chunks)));
    });
    fwd.on('error', () => req.socket.destroy());
    fwd.end(body);
  };
  const send = (res: http.ServerResponse, status: number, headers: http.IncomingHttpHeaders, body: Buffer | string) => {
    const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h = { ...headers };
    delete h['content-length'];
    delete h['transfer-encoding'];
    res.writeHead(status, { ...h, 'content-length': String(b.length) });
    res.end(b);
  };
  const s3Error = (res: http.ServerResponse, status: number, code: string, message: string) =>
    send(
      res,
      status,
      { 'content-type': 'application/xml' },
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
  const azureError = (res: http.ServerResponse, status: number, code: string, message: string) =>
    send(
      res,
      status,
      { 'content-type': 'application/xml', 'x-ms-error-code': code },
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );

  /** The key is in a listing page: a requested restore shows pending `listsLeft` more times, then it is done. Returns the state to show. */
  const seen = (key: string): ColdState | undefined => {
    const s = state.get(key);
    if (!s?.pending || s.listsLeft === undefined) return s;
    if (s.listsLeft > 0) {
      s.listsLeft--;
      return s;
    }
    if (provider === 'azure') {
      state.delete(key);
      return undefined;
    }
    s.pending = undefined;
    s.listsLeft = undefined;
    // Intelligent-Tiering moves the object back to Frequent Access: no copy, no expiry.
    if (s.archiveAccess) {
      s.archiveAccess = undefined;
      return s;
    }
    s.restoredUntil = o.expiry ?? new Date('2026-03-04T00:00:00Z');
    return s;
  };

  const s3Archived = (s: ColdState | undefined) => !!s && (ARCHIVE_S3.has(s.tier) || !!s.archiveAccess);
  const s3Readable = (s: ColdState | undefined) => !s3Archived(s) || (!!s!.restoredUntil && !s!.pending);

  const rewriteS3List = (xml: string, asked: boolean): string => {
    const encoded = /<EncodingType>url<\/EncodingType>/.test(xml);
    return xml.replace(/<Contents>([\s\S]*?)<\/Contents>/g, (whole, inner: string) => {
      const raw = /<Key>([\s\S]*?)<\/Key>/.exec(inner)?.[1];
      if (raw === undefined) return whole;
      const key = encoded ? decodeS3Url(decodeXmlText(raw)) : decodeXmlText(raw);
      const s = seen(key);
      if (!s) return whole;
      let body = inner.replace(/<StorageClass>[^<]*<\/StorageClass>/, '');
      body += `<StorageClass>${s.tier}</StorageClass>`;
      if (asked && !o.noRestoreStatus && (s.pending || s.restoredUntil)) {
        body += s.pending
          ? '<RestoreStatus><IsRestoreInProgress>true</IsRestoreInProgress></RestoreStatus>'
          : `<RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>${s.restoredUntil!.toISOString()}</RestoreExpiryDate></RestoreStatus>`;
      }
      return `<Contents>${body}</Contents>`;
    });
  };

  const rewriteAzureList = (xml: string): string =>
    xml.replace(/<Blob>([\s\S]*?)<\/Blob>/g, (whole, inner: string) => {
      const m = /<Name( Encoded="true")?>([\s\S]*?)<\/Name>/.exec(inner);
      if (!m) return whole;
      const text = decodeXmlText(m[2]);
      const key = m[1] ? decodeURIComponent(text) : text;
      const s = seen(key);
      if (!s) return whole;
      let body = inner.replace(/<AccessTier>[^<]*<\/AccessTier>/, `<AccessTier>${s.tier}</AccessTier>`);
      if (typeof s.pending === 'string')
        body = body.replace(
          '</Properties>',
          `<ArchiveStatus>${xmlEscape(s.pending)}</ArchiveStatus>${s.priority ? `<RehydratePriority>${s.priority}</RehydratePriority>` : ''}</Properties>`,
        );
      return `<Blob>${body}</Blob>`;
    });

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = req.url ?? '';
      const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      const key = keyOf(url, segments);
      const isList = req.method === 'GET' && /(^|&)(comp=list|list-type=2)/.test(query);
      if (isList) {
        const asked = /RestoreStatus/i.test(String(req.headers['x-amz-optional-object-attributes'] ?? ''));
        listings.push({ restoreStatusAsked: asked });
        forward(req, body, (status, headers, answer) => {
          if (status !== 200) return send(res, status, headers, answer);
          const text = answer.toString('utf8');
          send(res, status, headers, provider === 's3' ? rewriteS3List(text, asked) : rewriteAzureList(text));
        });
        return;
      }
      if (provider === 's3' && key !== undefined) {
        const s = state.get(key);
        if (req.method === 'POST' && /(^|&)restore(=|&|$)/.test(query)) {
          const xml = body.toString('utf8');
          const days = /<Days>(\d+)<\/Days>/.exec(xml)?.[1];
          const tier = /<Tier>([^<]+)<\/Tier>/.exec(xml)?.[1];
          const record = (status: number) => requests.push({ kind: 'restore', key, days: days ? Number(days) : undefined, tier, status });
          if (o.refuseRestore) {
            record(o.refuseRestore.status);
            return s3Error(res, o.refuseRestore.status, o.refuseRestore.code, o.refuseRestore.message);
          }
          if (!s3Archived(s)) {
            record(403);
            return s3Error(res, 403, 'InvalidObjectState', "Restore is not allowed for the object's current storage class");
          }
          // S3: Days must not be given for an Intelligent-Tiering archive tier.
          if (s!.archiveAccess && days !== undefined) {
            record(400);
            return s3Error(res, 400, 'InvalidArgument', 'Days must not be specified for an object in an Intelligent-Tiering archive tier');
          }
          if (s!.pending) {
            record(409);
            return s3Error(res, 409, 'RestoreAlreadyInProgress', 'Object restore is already in progress');
          }
          if (s!.restoredUntil) {
            record(200);
            return send(res, 200, {}, '');
          }
          s!.pending = true;
          s!.listsLeft = listsToComplete;
          record(202);
          return send(res, 202, {}, '');
        }
        if (req.method === 'GET' && !/(^|&)(uploads|acl|tagging)/.test(query)) {
          if (!s3Readable(s)) {
            requests.push({ kind: 'get', key, status: 403 });
            return s3Error(res, 403, 'InvalidObjectState', "The operation is not valid for the object's storage class");
          }
          requests.push({ kind: 'get', key, status: 200 });
        }
        if (req.method === 'HEAD' && s) {
          requests.push({ kind: 'head', key, status: 200 });
          return forward(req, body, (status, headers) => {
            const h: http.IncomingHttpHeaders = { ...headers, 'x-amz-storage-class': s.tier };
            if (s.archiveAccess) h['x-amz-archive-status'] = s.archiveAccess;
            if (s.pending) h['x-amz-restore'] = 'ongoing-request="true"';
            else if (s.restoredUntil) h['x-amz-restore'] = `ongoing-request="false", expiry-date="${s.restoredUntil.toUTCString()}"`;
            res.writeHead(status, h);
            res.end();
          });
        }
      }
      if (provider === 'azure' && key !== undefined) {
        const s = state.get(key);
        if (req.method === 'PUT' && /(^|&)comp=tier(&|$)/.test(query)) {
          const tier = String(req.headers['x-ms-access-tier'] ?? '');
          const priority = req.headers['x-ms-rehydrate-priority'] as string | undefined;
          if (typeof s?.pending === 'string' && !new RegExp(`-to-${tier}$`, 'i').test(s.pending)) {
            requests.push({ kind: 'set-tier', key, tier, priority, status: 409 });
            return azureError(res, 409, 'BlobBeingRehydrated', 'This operation is not permitted because the blob is being rehydrated.');
          }
          return forward(req, body, (status, headers, answer) => {
            requests.push({ kind: 'set-tier', key, tier, priority, status });
            // Azure keeps a blob in Archive while it rehydrates; Azurite is done at once.
            if (status === 202)
              state.set(key, {
                tier: 'Archive',
                pending: `rehydrate-pending-to-${tier.toLowerCase()}`,
                priority,
                listsLeft: listsToComplete,
              });
            send(res, status, headers, answer);
          });
        }
        if (req.method === 'PUT' && req.headers['x-ms-copy-source']) {
          const tier = req.headers['x-ms-access-tier'] as string | undefined;
          const priority = req.headers['x-ms-rehydrate-priority'] as string | undefined;
          const source = keyOf(String(req.headers['x-ms-copy-source']).replace(/^https?:\/\/[^/]+/, ''), segments);
          return forward(req, body, (status, headers, answer) => {
            requests.push({ kind: 'copy', key, source, tier, priority, status });
            // Azure lists the copy of an archived blob in Archive, rehydrating, until it is done.
            if (status === 202)
              state.set(key, {
                tier: 'Archive',
                pending: `rehydrate-pending-to-${(tier ?? 'hot').toLowerCase()}`,
                priority,
                listsLeft: listsToComplete,
              });
            send(res, status, headers, answer);
          });
        }
        if (req.method === 'GET' && !query.includes('comp=')) {
          if (s && s.tier === 'Archive') {
            requests.push({ kind: 'get', key, status: 409 });
            return azureError(res, 409, 'BlobArchived', 'This operation is not permitted on an archived blob.');
          }
          requests.push({ kind: 'get', key, status: 200 });
        }
      }
      forward(req, body, (status, headers, answer) => send(res, status, headers, answer));
    })().catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    requests,
    listings,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
