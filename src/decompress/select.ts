import { ArchiveError, UsageError } from '../errors.js';
import { hasNativeZstd } from './zstd-native.js';
import { findZstdBinary } from './zstd-binary.js';

/** 'fzstd+binary': fzstd for small windows, the `zstd` program for large ones (zstd-hybrid.ts). */
export type ZstdDecoderKind = 'native' | 'binary' | 'fzstd' | 'fzstd+binary';
export const ZSTD_DECODER_ENV = 'ARCHIVE_ZSTD_DECODER';
/** What ARCHIVE_ZSTD_DECODER can force. */
const KINDS: readonly ZstdDecoderKind[] = ['native', 'binary', 'fzstd'];

export interface ZstdDecoderChoice {
  kind: ZstdDecoderKind;
  /** The zstd program, for kinds 'binary' and 'fzstd+binary'. */
  binary?: string;
}

/**
 * Picks the zstd decoder: Node's native zlib zstd when this Node has it (fastest, any window);
 * else, with the `zstd` program on PATH, fzstd for frames with small windows and the program for
 * large ones ('fzstd+binary', chosen per frame); else fzstd alone (windows up to 64 MiB).
 * ARCHIVE_ZSTD_DECODER=native|binary|fzstd forces one, and fails if it is unavailable.
 * The environment is read on every call.
 */
export async function chooseZstdDecoder(): Promise<ZstdDecoderChoice> {
  const forced = process.env[ZSTD_DECODER_ENV]?.trim().toLowerCase();
  if (forced) {
    if (!(KINDS as readonly string[]).includes(forced)) {
      throw new UsageError(`${ZSTD_DECODER_ENV}=${forced} is not a zstd decoder`, {
        hint: `Set ${ZSTD_DECODER_ENV} to one of ${KINDS.join(', ')}, or unset it to choose automatically.`,
      });
    }
    const kind = forced as ZstdDecoderKind;
    if (kind === 'native') {
      if (!hasNativeZstd()) {
        throw new ArchiveError(`${ZSTD_DECODER_ENV}=native, but Node.js ${process.versions.node} has no built-in zstd`, {
          hint: `Native zstd needs Node.js >= 22.15 (or >= 23.8); or unset ${ZSTD_DECODER_ENV}.`,
        });
      }
      return { kind };
    }
    if (kind === 'binary') {
      const binary = await findZstdBinary();
      if (!binary) {
        throw new ArchiveError(`${ZSTD_DECODER_ENV}=binary, but no zstd program is on PATH`, {
          hint: `Install zstd (e.g. \`apt-get install zstd\`), or unset ${ZSTD_DECODER_ENV}.`,
        });
      }
      return { kind, binary };
    }
    return { kind };
  }
  if (hasNativeZstd()) return { kind: 'native' };
  const binary = await findZstdBinary();
  if (binary) return { kind: 'fzstd+binary', binary };
  return { kind: 'fzstd' };
}
