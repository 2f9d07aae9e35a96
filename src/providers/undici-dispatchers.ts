/**
 * undici's Agent, EnvHttpProxyAgent and request() without its index module (see http-get.ts for
 * why). undici is CommonJS with no "exports" map, so these paths are public files of the package.
 * Its index attaches request() to Dispatcher.prototype; without the index it is called on the
 * dispatcher explicitly (`request(d, opts)`).
 */
import type { Agent as AgentType, Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentType } from 'undici';
// @ts-expect-error: undici ships no types for its lib/ files; the values are typed below.
import AgentImpl from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error: as above.
import EnvHttpProxyAgentImpl from 'undici/lib/dispatcher/env-http-proxy-agent.js';
// @ts-expect-error: as above.
import requestImpl from 'undici/lib/api/api-request.js';

export const Agent = AgentImpl as typeof AgentType;
export const EnvHttpProxyAgent = EnvHttpProxyAgentImpl as typeof EnvHttpProxyAgentType;
/**
 * The proxy agents tunnel through Dispatcher.prototype.connect, which only undici's index
 * attaches: load it (once) before making one. Requests without a proxy never pay for it.
 */
export async function withProxySupport(): Promise<void> {
  await import('undici');
}

export function request(d: Dispatcher, opts: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return (requestImpl as (this: Dispatcher, o: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>).call(d, opts);
}
