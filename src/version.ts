/**
 * `archive --version`: the version, the Node.js running it and the zstd decoder `pull -d`/`cat`
 * will use here — the three facts a bug report about speed or a decode failure needs first.
 */
import { createRequire } from 'node:module';

const DECODER_TEXT: Record<string, (binary?: string) => string> = {
  native: () => "native (Node's zlib)",
  binary: (b) => `binary (${b})`,
  fzstd: () => 'fzstd (JavaScript; frames with windows up to 64 MiB)',
  'fzstd+binary': (b) => `fzstd for small windows, ${b} for large ones`,
};

export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}

export async function versionText(): Promise<string> {
  const { chooseZstdDecoder } = await import('./decompress/select.js');
  let decoder: string;
  try {
    const c = await chooseZstdDecoder();
    decoder = DECODER_TEXT[c.kind](c.binary);
  } catch (err) {
    decoder = `unavailable: ${(err as Error).message}`;
  }
  return [
    `archive ${packageVersion()}`,
    `node ${process.versions.node} (${process.platform}-${process.arch})`,
    `zstd decoder: ${decoder}`,
  ].join('\n');
}
