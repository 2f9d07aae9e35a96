/**
 * Where saved profiles plug into location resolution: `PROFILE:PREFIX` in every command, and the
 * default profile (`archive profile use NAME`, or ARCHIVE_PROFILE) for commands whose location is
 * optional. The file is read lazily, on the first lookup, so commands given a plain location never
 * touch it (and a broken profile file cannot break them).
 */
import type { ProfileSource, Target, TargetOptions } from './target.js';
import { profilesPath, readProfiles, unknownProfile } from './profiles/store.js';
import { profileTarget } from './profiles/resolve.js';
import type { ProfilesFile } from './profiles/types.js';

export class FileProfileSource implements ProfileSource {
  private file?: Promise<ProfilesFile>;
  constructor(
    readonly path: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private load(): Promise<ProfilesFile> {
    return (this.file ??= readProfiles(this.path));
  }

  async resolve(name: string, prefix: string, opts: TargetOptions, env: NodeJS.ProcessEnv): Promise<Target> {
    const f = await this.load();
    const p = Object.hasOwn(f.profiles, name) ? f.profiles[name] : undefined;
    if (!p) throw unknownProfile(name, f, this.path);
    return profileTarget(name, p, prefix, opts, env);
  }

  async defaultName(): Promise<string | undefined> {
    if (this.env.ARCHIVE_PROFILE) return this.env.ARCHIVE_PROFILE;
    return (await this.load()).default;
  }
}

export async function loadProfileSource(env: NodeJS.ProcessEnv = process.env): Promise<ProfileSource | undefined> {
  return new FileProfileSource(profilesPath(env), env);
}
