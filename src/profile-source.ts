/**
 * Where saved profiles plug into location resolution. Until a profile store exists on disk
 * nothing is returned and `PROFILE:PREFIX` locations report an unknown profile.
 */
import type { ProfileSource } from './target.js';

export async function loadProfileSource(): Promise<ProfileSource | undefined> {
  return undefined;
}
