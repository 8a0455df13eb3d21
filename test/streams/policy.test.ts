import { describe, expect, it } from 'vitest';
import { parseCameraUrl, type NetworkCameraUrl } from '../../streams/camera_url.js';
import { checkUrlPolicy, embeddedV4, pinTarget, policyFor } from '../../streams/policy.js';
import { StreamError } from '../../streams/errors.js';

async function reason(url: string, policy: Parameters<typeof checkUrlPolicy>[1]): Promise<string | undefined> {
  try {
    await checkUrlPolicy(url, policy);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(StreamError);
    expect((e as StreamError).field).toMatch(/^(url|streams\.allow_networks\[\d+\])$/);
    expect((e as StreamError).message).not.toContain('secret');
    return (e as StreamError).reason;
  }
}

describe('checkUrlPolicy', () => {
  it('allows camera schemes and refuses others (as URLs it does not read)', async () => {
    expect(await reason('rtsp://u:secret@10.1.2.3/ch1', {})).toBeUndefined();
    expect(await reason('https://10.1.2.3/snap.jpg', {})).toBeUndefined();
    expect(await reason('gopher://10.1.2.3/x', {})).toBe('bad_url');
    expect(await reason('ftp://u:secret@10.1.2.3/x', {})).toBe('bad_url');
  });

  it('keeps hosts inside the allowed networks, resolving names (IPv4, IPv6, mapped)', async () => {
    const policy = { allowNetworks: ['10.20.0.0/16', 'fd00::/8'] };
    expect(await reason('rtsp://10.20.5.6:554/s', policy)).toBeUndefined();
    expect(await reason('rtsp://[fd00::5]:554/s', policy)).toBeUndefined();
    expect(await reason('rtsp://[::ffff:10.20.0.9]/s', policy)).toBeUndefined();
    expect(await reason('http://169.254.169.254/latest/meta-data', policy)).toBe('blocked');
    expect(await reason('http://u:secret@localhost:6379/', policy)).toBe('blocked');
    expect(await reason('http://127.0.0.1:5432/', policy)).toBe('blocked');
    expect(await reason('http://localhost/', { allowNetworks: ['127.0.0.0/8', '::1/128'] })).toBeUndefined();
    expect(await reason('http://no-such-host.invalid/', policy)).toBe('unreachable');
  });

  it('refuses local files when told to, and names a bad CIDR', async () => {
    expect(await reason('/var/video/cam.mp4', {})).toBeUndefined();
    expect(await reason('/etc/passwd', { allowLocal: false })).toBe('blocked');
    expect(await reason('file:///etc/passwd', { allowLocal: false })).toBe('blocked');
    expect(await reason('rtsp://10.0.0.1/', { allowNetworks: ['10.0.0.0/33'] })).toBe('bad_url');
  });

  it('API cameras cannot reach loopback, this host, link-local or metadata, in any spelling; private networks stay allowed', async () => {
    const api = policyFor({ allow_networks: [], allow_local_from_api: false }, 'api');
    for (const url of [
      'rtsp://127.0.0.1/x', 'rtsp://127.1.2.3/x', 'http://localhost/', 'http://0.0.0.0:8080/', 'rtsp://0/x', 'http://2130706433/',
      'rtsp://0x7f.1/x', 'http://169.254.169.254/latest/meta-data', 'http://100.100.100.200/latest/meta-data', 'rtsp://[::1]/x',
      'rtsp://[::]/x', 'rtsp://[fe80::1]/x', 'rtsp://[::ffff:127.0.0.1]/x', 'rtsp://[::ffff:a9fe:a9fe]/x', 'http://[fd00:ec2::254]/',
      'rtsp://[64:ff9b::7f00:1]/x', 'file:///etc/passwd', '/etc/passwd',
    ]) {
      expect(await reason(url, api), url).toBe('blocked');
    }
    for (const url of ['rtsp://10.1.2.3/x', 'rtsp://192.168.1.64/x', 'rtsp://172.16.0.9/x', 'rtsp://[fd12::5]/x', 'rtsp://8.8.8.8/x']) {
      expect(await reason(url, api), url).toBeUndefined();
    }
    // The admin's switch, and cameras from the config file.
    expect(await reason('rtsp://127.0.0.1/x', policyFor({ allow_networks: [], allow_local_from_api: true }, 'api'))).toBeUndefined();
    expect(await reason('/var/video/cam.mp4', policyFor({ allow_networks: [], allow_local_from_api: false }, 'config'))).toBeUndefined();
    // allow_networks binds the config file's cameras too.
    expect(await reason('rtsp://10.9.9.9/x', policyFor({ allow_networks: ['10.20.0.0/16'], allow_local_from_api: false }, 'config'))).toBe('blocked');
    expect(embeddedV4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedV4('2001:db8::1')).toBeUndefined();
  });

  it('resolves once and pins: every address is judged, the first is the one to connect to, no second lookup', async () => {
    const u = parseCameraUrl('rtsp://cam.example/x') as NetworkCameraUrl;
    let lookups = 0;
    const rebinding = async () => (++lookups === 1 ? ['10.20.0.5'] : ['127.0.0.1']);
    const policy = { allowNetworks: ['10.20.0.0/16'], allowLocal: false };
    expect(await pinTarget(u, policy, rebinding)).toEqual({ address: '10.20.0.5', family: 4 });
    expect(lookups).toBe(1);
    // A name with one bad address among good ones is refused whole, naming the host but not its addresses.
    const mixed = await pinTarget(u, policy, async () => ['10.20.0.5', '169.254.169.254']).catch((e: StreamError) => e);
    expect(mixed).toBeInstanceOf(StreamError);
    expect((mixed as StreamError).reason).toBe('blocked');
    expect((mixed as StreamError).message).toContain('cam.example');
    expect((mixed as StreamError).message).not.toContain('169.254');
  });
});
