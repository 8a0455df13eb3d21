import type { WeisuConfig } from '../config/schema.js';
import { checkUrlPolicy } from '../streams/policy.js';

/**
 * Camera URLs that come through the API obey streams' URL policy: allowed schemes always, and with
 * `streams.allow_networks` set, only hosts inside those networks and no local files — so an API caller
 * cannot make workers (or a probe) fetch internal hosts or read the server's files. The CLI and the
 * config file are trusted (whoever runs them already has the machine).
 */
export async function checkApiCameraUrl(config: WeisuConfig, url: string): Promise<void> {
  const allowNetworks = config.streams.allow_networks;
  await checkUrlPolicy(url, { allowNetworks, allowFiles: allowNetworks.length === 0 });
}
