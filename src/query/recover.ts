/**
 * When DuckDB cannot read the files: which object is to blame, in the user's terms (its key, not
 * our temp path). DuckDB names the file for a JSON parse error but not for a zstd checksum
 * failure, so the compressed files are then checked with archive's own decoders; an object they
 * decode fine that DuckDB still rejects (a frame window beyond DuckDB's zstd limit) is decoded by
 * us into a plain file instead.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecoder } from '../decompress/index.js';
import type { FetchedObject } from './fetch-objects.js';
import { fileNamedIn } from './sql-errors.js';

export interface BadObject {
  object: FetchedObject;
  reason: string;
}

/** Replaces every temp path in DuckDB's message by the object's key. */
export function inUserTerms(message: string, files: FetchedObject[]): string {
  let m = message;
  for (const f of files) if (m.includes(f.path)) m = m.split(f.path).join(f.entry.key);
  return m;
}

async function decodeCheck(f: FetchedObject, signal?: AbortSignal): Promise<string | undefined> {
  if (f.codec === 'none') return undefined;
  try {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(createReadStream(f.path), await createDecoder(f.codec, { label: f.entry.key }), sink, { signal });
    return undefined;
  } catch (err) {
    if (signal?.aborted) throw err;
    // The decoders name the object themselves ("KEY: corrupt …"); the caller names it once.
    const m = (err as Error).message;
    return m.startsWith(`${f.entry.key}: `) ? m.slice(f.entry.key.length + 2) : m;
  }
}

/** The objects to blame for a DuckDB 'data' error; empty when none of them is corrupt. */
export async function findBadObjects(message: string, files: FetchedObject[], signal?: AbortSignal): Promise<BadObject[]> {
  const named = fileNamedIn(message);
  const hit = named ? files.find((f) => f.path === named) : undefined;
  if (hit) {
    const decodeError = await decodeCheck(hit, signal);
    return [{ object: hit, reason: decodeError ?? inUserTerms(message.split('\n')[0]!, files) }];
  }
  const bad: BadObject[] = [];
  for (const f of files) {
    const reason = await decodeCheck(f, signal);
    if (reason) bad.push({ object: f, reason });
  }
  return bad;
}

/** Decodes a compressed temp file into a plain one with archive's decoders; returns the new object. */
export async function decodeToPlain(f: FetchedObject, signal?: AbortSignal): Promise<FetchedObject> {
  if (f.codec === 'none') return f;
  const plain = f.path.replace(/\.(zst|gz)$/, '');
  const part = `${plain}.decoding`;
  try {
    await pipeline(
      createReadStream(f.path),
      await createDecoder(f.codec, { label: f.entry.key }),
      createWriteStream(part, { flags: 'wx', mode: 0o600 }),
      { signal },
    );
    await rename(part, plain);
    await rm(f.path, { force: true });
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  return { ...f, path: plain, codec: 'none' };
}
