/**
 * Writes to stdout with backpressure and a quiet exit on EPIPE (`archive … | head` is normal use).
 */
import { once } from 'node:events';

export class BrokenPipe extends Error {}

export async function write(stream: NodeJS.WritableStream, text: string | Buffer): Promise<void> {
  if ((stream as NodeJS.WriteStream).destroyed) throw new BrokenPipe('stdout closed');
  if (!stream.write(text)) {
    await Promise.race([
      once(stream, 'drain'),
      once(stream, 'close').then(() => {
        throw new BrokenPipe('stdout closed');
      }),
    ]);
  }
}

/** Buffers small writes (one per listed key) into fewer, larger ones. */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}
  async line(text: string): Promise<void> {
    this.buf.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 64 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    await write(this.stream, chunk);
  }
}
