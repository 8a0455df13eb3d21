import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { StreamError } from './errors.js';
import { parseCameraUrl, type CameraUrl, type NetworkCameraUrl } from './camera_url.js';
import type { StreamsConfig } from './schema.js';

/**
 * Which camera URLs may be contacted, and at which address. The host is resolved once here, every
 * address it resolves to is checked, and the caller connects to the address returned (pinned): a name
 * that answers differently a moment later (DNS rebinding) changes nothing.
 *
 * - Local targets — loopback, "this host" (0.0.0.0/8, ::), link-local (169.254/16 with the cloud metadata
 *   services, fe80::/10), Alibaba Cloud's metadata address, multicast — and local files are refused
 *   unless `allowLocal`. Private networks (10/8, 172.16/12, 192.168/16, fc00::/7) are where cameras
 *   live, so they are not refused by default: `allowNetworks` is how an installation narrows them.
 * - With `allowNetworks`, every address must lie inside one of the CIDRs.
 */
export interface UrlPolicy {
  /** CIDRs (`10.20.0.0/16`, `192.168.1.10/32`, `fd00::/8`); omitted or empty = any network. */
  allowNetworks?: string[];
  /** Local addresses and local files. Default true (the config file is trusted); API cameras get `streams.allow_local_from_api`. */
  allowLocal?: boolean;
}

/** Who defined a camera: the config file (trusted, like the CLI) or an API caller. */
export type CameraOrigin = 'config' | 'api';

/** The policy a camera of this origin obeys, wherever it is checked (API input, worker, probe, live relay). */
export function policyFor(streams: Pick<StreamsConfig, 'allow_networks' | 'allow_local_from_api'>, origin: CameraOrigin): UrlPolicy {
  return { allowNetworks: streams.allow_networks, allowLocal: origin === 'config' || streams.allow_local_from_api };
}

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

const LOCAL = networkList(
  ['127.0.0.0/8', '0.0.0.0/8', '169.254.0.0/16', '100.100.100.200/32', '224.0.0.0/4', '255.255.255.255/32', '::1/128', '::/128', 'fe80::/10', 'fd00:ec2::254/128', 'ff00::/8'],
  'local networks',
);

/** The 8 groups of an IPv6 address (`::` and a trailing dotted quad expanded). */
function groups(v6: string): number[] {
  let s = v6.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = s.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address an IPv6 one stands for, if it embeds one a router would reach: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96). Checked as that IPv4 address.
 */
export function embeddedV4(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  const g = groups(address);
  const v4 = () => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return v4();
  if (zeros(6) && (g[6] !== 0 || g[7]! > 1)) return v4();
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4();
  return undefined;
}

function inList(list: BlockList, address: string): boolean {
  const a = embeddedV4(address) ?? address;
  return list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
}

/** Whether an address is local in the policy's sense (loopback, link-local, metadata, unspecified, multicast). */
export function isLocalAddress(address: string): boolean {
  return inList(LOCAL, address);
}

const LOCAL_FIX = 'give the camera\'s own address; an admin may allow local addresses for API cameras with streams.allow_local_from_api: true';

/** Files: refused unless local targets are allowed. */
export function checkLocalFile(policy: UrlPolicy): void {
  if (policy.allowLocal === false) throw new StreamError('blocked', 'url: local files are not allowed for cameras added through the API', { fix: LOCAL_FIX });
}

/**
 * Judges resolved addresses; throws `blocked` naming the host as written only: never the addresses a
 * name resolved to, nor a port, so refusals cannot be used to map internal names and services.
 */
export function checkAddresses(host: string, addresses: string[], policy: UrlPolicy): void {
  if (policy.allowLocal === false && addresses.some(isLocalAddress)) {
    throw new StreamError('blocked', `url: ${host} is a loopback, link-local or metadata address`, { fix: LOCAL_FIX });
  }
  if (policy.allowNetworks?.length) {
    const list = networkList(policy.allowNetworks);
    if (addresses.some((a) => !inList(list, a))) {
      throw new StreamError('blocked', `url: ${host} is outside the allowed camera networks`, {
        fix: `use a camera inside ${policy.allowNetworks.join(', ')}, or ask the operator to add its network to streams.allow_networks`,
      });
    }
  }
}

/** An address to connect to, checked by the policy. */
export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Resolves the host once, checks every address, and returns the one to connect to. Connect to that
 * address, never to the name again.
 */
export async function pinTarget(u: NetworkCameraUrl, policy: UrlPolicy, resolve: Resolver = systemResolver): Promise<PinnedAddress> {
  let addresses: string[];
  if (isIP(u.host)) addresses = [u.host];
  else {
    try {
      addresses = await resolve(u.host);
    } catch (e) {
      throw new StreamError('unreachable', `url: host ${u.host} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
    if (!addresses.length) throw new StreamError('unreachable', `url: host ${u.host} has no address`);
  }
  checkAddresses(u.host, addresses, policy);
  const address = addresses[0]!;
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

/** Checks a parsed camera URL (files and networks alike); network hosts are resolved and judged. */
export async function checkCameraUrl(u: CameraUrl, policy: UrlPolicy, resolve?: Resolver): Promise<PinnedAddress | undefined> {
  if (u.kind === 'file') {
    checkLocalFile(policy);
    return undefined;
  }
  return pinTarget(u, policy, resolve);
}

/** Parses and checks a URL as written (API input, probes): `bad_url` if it cannot be read, `blocked` if refused. */
export async function checkUrlPolicy(url: string, policy: UrlPolicy, resolve?: Resolver): Promise<void> {
  await checkCameraUrl(parseCameraUrl(url), policy, resolve);
}
