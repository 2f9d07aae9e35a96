/** Pull defaults, in a module of their own so `--help` can show them without loading the engine. */
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;
/**
 * A run gives up after this many connection failures in a row (all transfers together) lasting at
 * least DEAD_ENDPOINT_MIN_MS: a blip of a few seconds that fails every stream at once is survived.
 */
export const DEAD_ENDPOINT_FAILURES = 8;
export const DEAD_ENDPOINT_MIN_MS = 5_000;
/**
 * How long a pull waits for a file another run holds while that run makes no progress on it
 * (`--lock-timeout`). A live holder that is writing is waited for however long it takes; one
 * stalled this long (a hung process, a stopped job) is given up on: the file fails, the rest of
 * the run goes on. Ten minutes is past any retry back-off of a healthy run.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;
