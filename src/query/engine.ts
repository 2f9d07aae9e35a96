/**
 * The embedded DuckDB: loaded lazily (it is a native package and may be missing where every other
 * command still works), opened in memory with its extension auto-install/auto-load OFF (httpfs
 * and azure would be downloaded from DuckDB's server at run time; archive fetches bytes itself),
 * with bounded memory and spill in our temp space. Errors from DuckDB are ArchiveErrors by the
 * time they leave this module only where the caller asks (see sql-errors.ts).
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ArchiveError } from '../errors.js';

export interface EngineOptions {
  /** DuckDB memory_limit, e.g. '2GB'. */
  memoryLimit: string;
  /** Spill directory (inside the query's TempSpace). */
  tempDirectory: string;
  threads?: number;
}

export type DuckDBModule = typeof import('@duckdb/node-api');

/** Imports @duckdb/node-api, or fails with a hint that names the fix. */
export async function loadDuckDB(): Promise<DuckDBModule> {
  try {
    return await import('@duckdb/node-api');
  } catch (err) {
    throw new ArchiveError(
      `the query engine (DuckDB, @duckdb/node-api) could not be loaded: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`,
      {
        hint: 'reinstall archive with its dependencies (`npm install -g archive-cli`, without --omit=optional/--ignore-scripts); `archive query` needs a platform DuckDB supports (linux/macOS/windows, x64/arm64)',
        cause: err,
      },
    );
  }
}

export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(o: EngineOptions): Promise<Engine> {
    const { DuckDBInstance } = await loadDuckDB();
    const config: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      memory_limit: o.memoryLimit,
      temp_directory: o.tempDirectory,
    };
    if (o.threads) config.threads = String(o.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    // Record times are UTC; TIMESTAMPTZ casts (Cloudflare RFC 3339) must not shift them. (ICU's
    // setting, so not accepted in the instance config.)
    await connection.run("SET TimeZone = 'UTC'");
    return new Engine(instance, connection);
  }

  /** Cancels the statement running on the connection (Ctrl-C); it then rejects with an INTERRUPT error. */
  interrupt(): void {
    try {
      this.connection.interrupt();
    } catch {
      // nothing running
    }
  }

  close(): void {
    try {
      this.connection.closeSync();
    } catch {
      // already closed
    }
    try {
      this.instance.closeSync();
    } catch {
      // already closed
    }
  }
}
