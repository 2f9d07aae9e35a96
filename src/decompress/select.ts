import { ArchiveError, UsageError } from '../errors.js';
import { hasNativeZstd } from './zstd-native.js';
import { findZstdBinary } from './zstd-binary.js';

export type ZstdDecoderKind = 'native' | 'binary' | 'fzstd';
export const ZSTD_DECODER_ENV = 'ARCHIVE_ZSTD_DECODER';
const KINDS: readonly ZstdDecoderKind[] = ['native', 'binary', 'fzstd'];

export interface ZstdDecoderChoice {
  kind: ZstdDecoderKind;
  /** The zstd program, for kind 'binary'. */
  binary?: string;
}

/**
 * Picks the zstd decoder: Node's native zlib zstd when this Node has it (fastest, any window);
 * else the `zstd` program on PATH; else fzstd (pure JS; slower, windows up to 64 MiB).
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
        throw new ArchiveError(
          `${ZSTD_DECODER_ENV}=native, but Node.js ${process.versions.node} has no built-in zstd`,
          { hint: `Native zstd needs Node.js >= 22.15 (or >= 23.8); or unset ${ZSTD_DECODER_ENV}.` },
        );
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
  if (binary) return { kind: 'binary', binary };
  return { kind: 'fzstd' };
}
