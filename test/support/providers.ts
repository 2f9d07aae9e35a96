/**
 * One description per provider so the same test cases run against Azurite and s3rver.
 */
import { startAzurite, startS3rver, type AzuriteEmulator, type S3Emulator } from './emulators.js';
import { seedAzure, seedS3, type SeedObject } from './seed.js';

export interface ProviderFixture<E extends AzuriteEmulator | S3Emulator = AzuriteEmulator | S3Emulator> {
  name: 'azure' | 's3';
  /** Location string for a container/bucket and prefix. */
  loc(container: string, prefix?: string): string;
  /** Environment that gives the CLI a working credential. */
  env: Record<string, string>;
  seed(container: string, objects: Iterable<SeedObject>): Promise<void>;
  /** The upstream base URL a proxy should forward to. */
  upstream: string;
  /** Location and env that reach the emulator through a proxy at proxyUrl. */
  via(proxyUrl: string): { loc(container: string, prefix?: string): string; env: Record<string, string> };
  stop(): Promise<void>;
  emu: E;
}

export type AzureFixture = ProviderFixture<AzuriteEmulator>;

export async function startProvider(name: 'azure'): Promise<AzureFixture>;
export async function startProvider(name: 'azure' | 's3'): Promise<ProviderFixture>;
export async function startProvider(name: 'azure' | 's3'): Promise<ProviderFixture> {
  if (name === 'azure') {
    const emu = await startAzurite({ inMemory: true });
    return {
      name,
      emu,
      loc: (c, p = '') => `${emu.serviceUrl}/${c}${p ? `/${p}` : ''}`,
      env: { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString },
      seed: (c, objs) => seedAzure(emu, c, objs),
      upstream: `http://127.0.0.1:${emu.port}`,
      via: (proxyUrl) => ({
        loc: (c, p = '') => `${proxyUrl}/devstoreaccount1/${c}${p ? `/${p}` : ''}`,
        env: { AZURE_STORAGE_CONNECTION_STRING: emu.connectionString },
      }),
      stop: () => emu.stop(),
    };
  }
  const emu = await startS3rver();
  return {
    name,
    emu,
    loc: (c, p = '') => `s3://${c}${p ? `/${p}` : ''}`,
    env: emu.env,
    seed: (c, objs) => seedS3(emu, c, objs),
    upstream: emu.endpoint,
    via: (proxyUrl) => ({ loc: (c, p = '') => `s3://${c}${p ? `/${p}` : ''}`, env: { ...emu.env, AWS_ENDPOINT_URL_S3: proxyUrl } }),
    stop: () => emu.stop(),
  };
}

export const PROVIDERS: Array<'azure' | 's3'> = ['azure', 's3'];
