/**
 * What the pruning planner decides for a folder or a listed prefix, and the window it decides
 * against: the words plan.ts (folders) and plan-names.ts (file-name stamps) share and walk.ts
 * carries out.
 */
import { spanOverlaps, type Span } from '../layouts/time-folders.js';
import type { Scope } from './scope.js';

export interface PlanWindow {
  /** Epoch ms, inclusive; undefined = open. */
  since?: number;
  /** Epoch ms, exclusive; undefined = open. */
  until?: number;
  /** --kind/--host, for skipping folders that cannot hold a match (scope.ts). */
  scope?: Scope;
  /** The command's start (epoch ms): the name rule's "more than an hour ahead" is measured from it. */
  now?: number;
}

export type FolderAction = 'skip' | 'flat' | 'walk' | 'stems' | 'days';

export interface FolderDecision {
  action: FolderAction;
  /** Why, in words for --explain. */
  reason: string;
  /** The folder's time bound (undefined: no time folder in the path; null: contradictory). */
  bound: Span | null | undefined;
  /** Plain levels walked including this one (passed to its children). */
  plainDepth: number;
  /** For --explain: what a run of skipped siblings is summarised by, when not their time folders. */
  run?: string;
  /** 'stems': the delimiter of its listing (STAMP_DELIMITER); 'walk' lists by '/'. */
  delimiter?: string;
  /** 'days': the prefixes to list, in key order, all below the decided one. */
  prefixes?: string[];
  /** 'stems' listings above and including this one. */
  stemDepth?: number;
}

function iso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/T00:00:00Z$/, '');
}

export function describeSpan(s: Span): string {
  return `${iso(s.start)}..${iso(s.end)}`;
}

/**
 * Why a path's time-folder bound rules out everything below it for the window (the time-folder
 * rule, layouts/time-folders.ts), or undefined when it does not: folders and listed prefixes alike.
 */
export function timeFolderSkip(bound: Span | null | undefined, w: PlanWindow): string | undefined {
  if (bound === null) return 'its time folders contradict each other';
  if (bound && !spanOverlaps(bound, w.since, w.until)) return `time folder ${describeSpan(bound)} is outside the window`;
  return undefined;
}
