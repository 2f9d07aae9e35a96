import { DecoderStream } from './decoder-stream.js';
import { ZstdFrameScanner } from './frame-scanner.js';
import { FzstdFrame, type FzstdDeps } from './zstd-fzstd.js';
import { ZstdProcess } from './zstd-binary.js';

/**
 * Frames with windows up to this size go to fzstd when the hybrid decoder is in use; larger ones
 * to the `zstd` program. Measured on a 2-core VM, 32 objects of 8 MiB (log data, zstd -3), 8 at a
 * time, MB/s decoded, fzstd vs a zstd child per object: 2 MiB window 129 vs 62, 8 MiB 67 vs 54,
 * 16 MiB 52 vs 52, 32 MiB 25 vs 46. (With 32 MiB objects the child wins at every window, 279 vs
 * 139 at 2 MiB: it decodes on the other core; the choice here is by window only.)
 */
export const HYBRID_FZSTD_MAX_WINDOW = 8 * 1024 * 1024;

/**
 * zstd on a Node without native zstd but with the `zstd` program on PATH: the choice is made per
 * frame, from its header's Window_Size. Frames with windows up to HYBRID_FZSTD_MAX_WINDOW (all
 * that `zstd -1..-19` writes without --long) are decoded in-process by fzstd, which is faster
 * than a child process whose output crosses a pipe in 64 KiB pieces; larger windows (--long,
 * --ultra) go to a `zstd` child, which decodes them several times faster than fzstd and any
 * window up to 2 GiB. A run of consecutive large-window frames shares one child; the child's
 * stdin is closed, and its exit awaited (all its output delivered, exit status 0), before the
 * next small-window frame is decoded, so output stays in order.
 *
 * Guarantees are those of both paths: the frame scanner sees every byte (truncation, trailing
 * garbage, bad framing → IntegrityError naming the label); fzstd frames get their checksum and
 * content size checked here, binary frames by zstd (a non-zero exit is an IntegrityError
 * carrying its stderr); skippable frames are dropped; output is bounded by backpressure on both
 * paths; the child is killed when the stream is destroyed.
 */
export class HybridZstdDecoder extends DecoderStream {
  private readonly scanner = new ZstdFrameScanner({ splitBlocks: true });
  private frame: FzstdFrame | undefined;
  /** The zstd child for the current run of large-window frames. */
  private proc: ZstdProcess | undefined;
  /** Whether the current frame goes to the child. */
  private toBinary = false;
  /** What decoded this object so far (tests, diagnostics). */
  readonly stats = { fzstdFrames: 0, binaryFrames: 0, processes: 0 };

  constructor(
    label: string,
    private readonly binary: string,
    private readonly deps: FzstdDeps,
    private readonly maxFzstdWindow = HYBRID_FZSTD_MAX_WINDOW,
  ) {
    super(label, 'zstd');
  }

  /** The current zstd child process, if any. */
  get child(): ZstdProcess['child'] | undefined {
    return this.proc?.child;
  }

  protected async onChunk(chunk: Buffer): Promise<void> {
    for (const ev of this.scanner.push(chunk)) {
      if (ev.type === 'frame') {
        this.toBinary = ev.header.windowSize > this.maxFzstdWindow;
        if (this.toBinary) {
          this.stats.binaryFrames++;
          await this.startProcess().write(ev.head);
        } else {
          await this.endProcess();
          this.stats.fzstdFrames++;
          this.frame = new FzstdFrame(this.label, ev.index, ev.header, this.deps);
          await this.feed(ev.head, false);
        }
      } else if (ev.type === 'data') {
        if (this.toBinary) await this.proc!.write(ev.bytes);
        else await this.feed(ev.bytes, false);
      } else if (!this.toBinary) {
        await this.feed(new Uint8Array(0), true);
        const f = this.frame!;
        this.frame = undefined;
        f.end(ev.checksum);
      }
    }
  }

  protected async onEnd(): Promise<void> {
    this.scanner.finish();
    await this.endProcess();
  }

  protected onDestroy(): void {
    this.frame = undefined;
    this.proc?.kill();
  }

  private startProcess(): ZstdProcess {
    if (!this.proc) {
      this.stats.processes++;
      this.proc = new ZstdProcess(
        this.label,
        this.binary,
        (d, stdout) => this.pushOrPause(d, stdout),
        (err) => this.fail(err),
      );
    }
    return this.proc;
  }

  private async endProcess(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    await proc.end();
    this.proc = undefined;
  }

  private async feed(bytes: Uint8Array, final: boolean): Promise<void> {
    for (const block of this.frame!.push(bytes, final)) {
      const wait = this.output(block);
      if (wait) await wait;
    }
  }
}
