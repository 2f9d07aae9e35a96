/**
 * Writes to stdout with backpressure and a quiet exit on EPIPE (`archive … | head` is normal use).
 */
export class BrokenPipe extends Error {}

export async function write(stream: NodeJS.WritableStream, text: string | Buffer): Promise<void> {
  if ((stream as NodeJS.WriteStream).destroyed) throw new BrokenPipe('stdout closed');
  if (stream.write(text)) return;
  // Listeners are removed again whichever way this ends: it runs once per chunk of a long stream.
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
    };
    const onDrain = () => {
      done();
      resolve();
    };
    const onClose = () => {
      done();
      reject(new BrokenPipe('stdout closed'));
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onClose);
  });
}

/**
 * Buffers small writes (one per listed key) into fewer, larger ones. Commands pass `io.stdout`.
 */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
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
