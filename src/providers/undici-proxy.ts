/**
 * undici's proxy agent, in a module of its own so that only runs with HTTPS_PROXY / HTTP_PROXY /
 * ALL_PROXY set load undici (http-get.ts imports this dynamically). Why undici: node:http has no
 * proxy support on Node 20, and EnvHttpProxyAgent is the Node team's implementation of the
 * proxy variables (CONNECT tunnels, NO_PROXY with ports, wildcards and leading dots).
 */
export { EnvHttpProxyAgent } from 'undici';
