/**
 * A layout knows how one vendor names the objects it exports. It turns a key into the facts
 * the time-aware commands need; it never touches the network.
 */
export interface KeyFacts {
  /** Name of the layout that recognised the key. */
  layout: string;
  /** Start of the time the object covers (UTC), when the key encodes one. */
  time?: Date;
  /** End of that time span (exclusive), when the key encodes a range or a known granularity. */
  timeEnd?: Date;
  /** logs, access, connection, heapdump, jfr, events, challenge, marker, … */
  kind?: string;
  host?: string;
  /**
   * Identity of the logical partition the object holds; two objects with the same partition
   * are re-exports of each other (used by --dedupe).
   */
  partition?: string;
  /** Extra vendor fields (tenant, application, project id, …) shown in --json output. */
  fields?: Record<string, string>;
}

export interface Layout {
  name: string;
  description: string;
  /**
   * Every kind parse() can give (what --kind pruning reasons from, listing/scope.ts). A kind
   * parse() returns must be listed here, or a pruned listing could miss it.
   */
  kinds: readonly string[];
  /** Whether parse() can give a host (only such layouts can match --host). */
  hosts?: boolean;
  /** Returns undefined when the key does not look like this vendor's. */
  parse(key: string): KeyFacts | undefined;
}
