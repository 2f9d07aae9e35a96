import { ArchiveError, IntegrityError } from '../errors.js';
import { ZstdFormatError } from './frame-header.js';

export type DecodeFormat = 'zstd' | 'gzip';

const HINTS: Record<DecodeFormat, string> = {
  zstd:
    'The stored object is damaged or is not really zstd data (check a downloaded copy with `zstd -t FILE`); ' +
    'pull it without --decompress to keep the raw bytes.',
  gzip:
    'The stored object is damaged or is not really gzip data (check a downloaded copy with `gzip -t FILE`); ' +
    'pull it without --decompress to keep the raw bytes.',
};

/** Corrupt or undecodable data: an IntegrityError whose message names the object. */
export function corrupt(label: string, format: DecodeFormat, detail: string, cause?: unknown): IntegrityError {
  return new IntegrityError(`${label}: corrupt ${format} data: ${detail}`, { hint: HINTS[format], cause });
}

/** Any failure inside a decoder, as the ArchiveError the user sees. ArchiveErrors pass unchanged. */
export function toDecodeError(label: string, format: DecodeFormat, err: unknown): ArchiveError {
  if (err instanceof ArchiveError) return err;
  if (err instanceof ZstdFormatError) return corrupt(label, format, err.message, err);
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  // zlib's "unexpected end of file" is how a truncated object shows up.
  const detail = code === 'Z_BUF_ERROR' ? `${message} (the object is truncated)` : message;
  return corrupt(label, format, detail, err);
}
