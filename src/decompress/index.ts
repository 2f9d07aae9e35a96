/**
 * Decoding `.zst` and `.gz` objects on the fly (pull --decompress, cat).
 *
 * zstd decoder, in order of preference (see select.ts):
 *   native       — zlib.createZstdDecompress (Node >= 22.15 / 23.8), windows up to 2 GiB;
 *   fzstd+binary — with the `zstd` program on PATH, chosen per frame by window size: fzstd for
 *                  windows <= 8 MiB, the program (`zstd -dcq --long=31`, a child process) above;
 *   fzstd        — pure JS, only for frames with windows <= 64 MiB, checksums verified here.
 * ARCHIVE_ZSTD_DECODER=native|binary|fzstd forces one (binary: the program for every frame).
 * gzip always uses zlib.createGunzip.
 */
import { PassThrough, type Duplex } from 'node:stream';
import { chooseZstdDecoder, type ZstdDecoderKind } from './select.js';
import { GunzipDecoder } from './gzip.js';
import { NativeZstdDecoder } from './zstd-native.js';
import { BinaryZstdDecoder } from './zstd-binary.js';
import { FzstdDecoder, loadFzstdDeps } from './zstd-fzstd.js';
import { HybridZstdDecoder } from './zstd-hybrid.js';
import type { Codec } from './codec.js';
import { AutoDecoder } from './auto.js';

export { codecFor, sniffCodec, stripCodecSuffix, SNIFF_BYTES, type Codec } from './codec.js';
export { ZSTD_DECODER_ENV, type ZstdDecoderKind } from './select.js';
export { FZSTD_MAX_WINDOW } from './zstd-fzstd.js';
export { HYBRID_FZSTD_MAX_WINDOW } from './zstd-hybrid.js';

export interface DecoderOptions {
  /** Names the object in error messages (its key). */
  label: string;
}

/**
 * A Duplex for stream.pipeline(): compressed bytes in, decoded bytes out, memory bounded
 * whatever the object's size. Corrupt input fails it with an IntegrityError naming opts.label;
 * a zstd frame this installation cannot decode fails it with an ArchiveError and a hint.
 * Decoded bytes are streamed before a frame's or member's checksum is checked at its end:
 * on error, discard whatever was written. 'auto' picks the codec from the first bytes.
 */
export async function createDecoder(codec: Codec | 'auto', opts: DecoderOptions): Promise<Duplex> {
  switch (codec) {
    case 'auto':
      // The content decides (auto.ts): what cat, pull --decompress and query all do.
      return new AutoDecoder((c) => createDecoder(c, opts));
    case 'none':
      return new PassThrough();
    case 'gzip':
      return new GunzipDecoder(opts.label);
    case 'zstd': {
      const choice = await chooseZstdDecoder();
      if (choice.kind === 'native') return new NativeZstdDecoder(opts.label);
      if (choice.kind === 'binary') return new BinaryZstdDecoder(opts.label, choice.binary!);
      if (choice.kind === 'fzstd+binary') return new HybridZstdDecoder(opts.label, choice.binary!, await loadFzstdDeps());
      return new FzstdDecoder(opts.label, await loadFzstdDeps());
    }
  }
}

/** Which zstd decoder createDecoder('zstd') would use now (for --verbose and benchmarks). */
export async function zstdDecoderKind(): Promise<ZstdDecoderKind> {
  return (await chooseZstdDecoder()).kind;
}
