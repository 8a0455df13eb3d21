import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { StreamError } from './errors.js';
import { redactUrl } from './redact.js';

/**
 * Which URLs workers may fetch. Scheme allowlist always; with `allowNetworks`, every address the host
 * resolves to must lie inside one of the CIDRs, so an API caller cannot point a worker at the metadata
 * service, the database or any other internal host. (ffmpeg resolves again when it connects; a host that
 * changes its answer in between can slip through, so list IP addresses for strict set-ups.)
 */
export interface UrlPolicy {
  /** CIDRs (`10.20.0.0/16`, `192.168.1.10/32`, `fd00::/8`); omitted or empty = any network. */
  allowNetworks?: string[];
  /** Local files (`file://`, paths). Default true; API-facing callers set false. */
  allowFiles?: boolean;
}

const NETWORK_SCHEMES = new Set(['rtsp:', 'rtsps:', 'http:', 'https:']);
const CIDR = /^(.+)\/(\d{1,3})$/;

/** Parses CIDRs into a BlockList; throws a StreamError naming the bad entry. */
export function networkList(cidrs: string[], field = 'streams.allow_networks'): BlockList {
  const list = new BlockList();
  cidrs.forEach((c, i) => {
    const m = CIDR.exec(c.trim());
    const addr = m?.[1] ?? c.trim();
    const family = isIP(addr);
    const prefix = m ? Number(m[2]) : family === 6 ? 128 : 32;
    if (!family || prefix > (family === 6 ? 128 : 32)) {
      throw new StreamError('bad_url', `"${c}" is not a network in CIDR form`, { field: `${field}[${i}]`, fix: 'write networks like 10.20.0.0/16, 192.168.1.10/32 or fd00::/8' });
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  });
  return list;
}

function allowed(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const a = mapped ?? address;
  return list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
}

export async function checkUrlPolicy(url: string, policy: UrlPolicy): Promise<void> {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  const isFile = !u || u.protocol === 'file:' || /^[a-z]:[\\/]/i.test(url);
  if (isFile) {
    if (policy.allowFiles === false) throw new StreamError('blocked', `${redactUrl(url)}: local files are not allowed here`, { fix: 'give an rtsp://, rtsps://, http:// or https:// camera URL' });
    return;
  }
  if (!NETWORK_SCHEMES.has(u!.protocol)) {
    throw new StreamError('blocked', `${redactUrl(url)}: scheme ${u!.protocol.replace(':', '')} is not allowed`, { fix: 'use rtsp://, rtsps://, http:// or https://' });
  }
  if (!policy.allowNetworks?.length) return;
  const list = networkList(policy.allowNetworks);
  const host = u!.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (e) {
      throw new StreamError('unreachable', `${redactUrl(url)}: host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
  }
  const outside = addresses.find((a) => !allowed(list, a));
  if (outside !== undefined) {
    throw new StreamError('blocked', `${redactUrl(url)}: ${host === outside ? host : `${host} (${outside})`} is outside the allowed camera networks`, {
      fix: `use a camera inside ${policy.allowNetworks.join(', ')}, or ask the operator to add its network to streams.allow_networks`,
    });
  }
}
