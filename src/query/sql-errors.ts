/**
 * DuckDB's error messages sorted into what the user must do about them. DuckDB's node binding
 * gives only a message whose first words name the class ("Parser Error: …", "Binder Error: …");
 * that prefix is stable across releases (it is DuckDB's ExceptionType name). Pure.
 */

export type SqlErrorKind =
  /** The SQL is wrong (syntax, unknown column/table/function, type mismatch): exit 2. */
  | 'usage'
  /** A value did not fit the column type guessed from the first rows: re-detect over every row. */
  | 'schema'
  /** A file could not be decoded or parsed: find the object, exit 5 (or skip it). */
  | 'data'
  | 'interrupted'
  | 'memory'
  | 'other';

const USAGE = /^(Parser|Binder|Catalog|Syntax|Not implemented|Permission|Dependency|Constraint|Sequence|Serialization|Transaction) Error\b/;

export function classifySqlError(message: string): SqlErrorKind {
  if (/^INTERRUPT Error\b/i.test(message) || /Interrupted!?$/m.test(message)) return 'interrupted';
  if (/^Out of Memory Error\b/.test(message)) return 'memory';
  if (/JSON transform error/i.test(message)) return 'schema';
  if (
    /Malformed JSON|Restored data doesn't match checksum|ZSTD|zstd|gzip|GZIP|decompress|Input is not a GZIP|Unknown frame descriptor|corrupt/i.test(
      message,
    ) &&
    /^(Invalid Input|IO|Invalid) Error\b/.test(message)
  )
    return 'data';
  if (/^(IO|Invalid Input) Error\b/.test(message) && /in file "/.test(message)) return 'data';
  if (/^IO Error\b/.test(message)) return 'data';
  if (USAGE.test(message)) return 'usage';
  // Conversion errors from the user's own CAST, division by zero, bad arguments: the SQL's fault.
  if (/^(Conversion|Invalid Input|Out of Range|Invalid type|Type|Mismatch Type|Binder) Error\b/.test(message)) return 'usage';
  return 'other';
}

/** The temp file a DuckDB error names (`in file "/…/000003.ndjson.zst"`), if any. */
export function fileNamedIn(message: string): string | undefined {
  return /in file "([^"]+)"/.exec(message)?.[1] ?? /file "([^"]+)"/.exec(message)?.[1];
}

/**
 * DuckDB's message without the caret block's leading blank line; keeps "LINE 1: …" and the
 * caret (the position) because that is what tells the user where the mistake is.
 */
export function tidySqlMessage(message: string): string {
  return message.replace(/\n\n+/g, '\n').trim();
}

export interface SqlPosition {
  line: number;
  /** 1-based; absent when DuckDB shortened the start of the line it quoted. */
  column?: number;
  excerpt: string;
}

/** The line/column DuckDB's caret block points at ("LINE 2: select nope\n               ^"). */
export function sqlPosition(message: string): SqlPosition | undefined {
  const m = /^LINE (\d+): (.*)\n( *)\^/m.exec(message);
  if (!m) return undefined;
  const prefix = `LINE ${m[1]}: `.length;
  const excerpt = m[2]!;
  const col = m[3]!.length - prefix;
  return { line: Number(m[1]), column: excerpt.startsWith('...') || col < 0 ? undefined : col + 1, excerpt: excerpt.trim() };
}

/** DuckDB's first line plus the position, as one line for `archive: …`. */
export function oneLineSqlMessage(message: string): string {
  const first = message.split('\n')[0]!.trim();
  const pos = sqlPosition(message);
  if (!pos) return first;
  return `${first} (at line ${pos.line}${pos.column ? `, column ${pos.column}` : ''}: ${pos.excerpt})`;
}

/**
 * DuckDB's suggestions, each as one readable clause for a `hint:` line: `Did you mean "logs"?`,
 * `Candidate bindings: "uri", "time"`, and a function's candidate signatures (DuckDB prints them
 * one per tab-indented line below "Candidate functions:") as `candidates: f(A) -> B; f(C) -> D; …`.
 */
export function sqlHints(message: string, maxCandidates = 4): string[] {
  const lines = message.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (/^Candidate functions:$/.test(t)) {
      const sigs: string[] = [];
      while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]!)) sigs.push(lines[++i]!.trim());
      if (sigs.length)
        out.push(
          `candidates: ${sigs.slice(0, maxCandidates).join('; ')}${sigs.length > maxCandidates ? `; … (${sigs.length} in all)` : ''}`,
        );
    } else if (/^(Candidate bindings|Did you mean)\b/.test(t)) out.push(t);
  }
  return out;
}
