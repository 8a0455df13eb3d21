import type { WeisuConfig } from '../config/schema.js';
import { parseCameraUrl, sameEndpoint } from '../streams/camera_url.js';
import { StreamError } from '../streams/errors.js';
import { checkCameraUrl, policyFor } from '../streams/policy.js';
import type { CameraInput } from '../store/cameras.js';

/**
 * Camera URLs that come through the API obey streams' URL policy for API cameras: no loopback,
 * link-local (cloud metadata) or local files unless `streams.allow_local_from_api`, and only hosts inside
 * `streams.allow_networks` when it is set — so an API caller cannot make workers (or a probe) fetch
 * internal hosts or read the server's files. The CLI and the config file are trusted (whoever runs
 * them already has the machine); workers check again with the camera's origin before contacting it.
 */
export async function checkApiCameraUrl(config: WeisuConfig, url: string): Promise<void> {
  const parsed = parseCameraUrl(url);
  if (parsed.kind === 'network' && parsed.password === '***') {
    throw new StreamError('bad_url', 'url carries the redacted password *** (as GET shows it), not the password', { fix: 'send the password in the password field, or the URL with its real password' });
  }
  try {
    await checkCameraUrl(parsed, policyFor(config.streams, 'api'));
  } catch (e) {
    // A name that does not resolve yet (a camera registered before it is installed) is judged when a
    // worker resolves it: every connection checks the addresses it is about to use.
    if (!(e instanceof StreamError && e.reason === 'unreachable')) throw e;
  }
}

/**
 * Credentials belong to one endpoint. When a change moves the camera to another scheme, host or port
 * and the caller did not send the password again, the stored username and password are dropped, so
 * they are never sent to the new host.
 */
export function dropMovedCredentials(current: CameraInput, next: CameraInput, patch: Record<string, unknown>): void {
  dropMovedOnvifPassword(current, next, patch);
  if (next.url === current.url || 'password' in patch) return;
  let moved: boolean;
  try {
    moved = !sameEndpoint(parseCameraUrl(current.url), parseCameraUrl(next.url));
  } catch {
    moved = true; // the new URL is refused by validation anyway; a stored one that cannot be read keeps nothing
  }
  if (!moved) return;
  delete next.password;
  if (!('username' in patch)) delete next.username;
}

/**
 * The same for the ONVIF password: a patch that moves `onvif.address` must send `onvif.password` again
 * (without it the camera fails validation, naming the field), so a stored password never follows the
 * address to another host.
 */
function dropMovedOnvifPassword(current: CameraInput, next: CameraInput, patch: Record<string, unknown>): void {
  const sent = patch.onvif;
  if (!current.onvif || !next.onvif || next.onvif.address === current.onvif.address) return;
  if (sent && typeof sent === 'object' && 'password' in sent) return;
  const { password: _dropped, ...rest } = next.onvif;
  next.onvif = rest as typeof next.onvif;
}
