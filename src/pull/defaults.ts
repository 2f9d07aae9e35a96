/** Pull defaults, in a module of their own so `--help` can show them without loading the engine. */
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;
