import { describe, expect, it } from 'vitest';
import { checkUrlPolicy } from '../../streams/policy.js';
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
  it('allows camera schemes and refuses others', async () => {
    expect(await reason('rtsp://u:secret@10.1.2.3/ch1', {})).toBeUndefined();
    expect(await reason('https://cam.example/snap.jpg', {})).toBeUndefined();
    expect(await reason('gopher://10.1.2.3/x', {})).toBe('blocked');
    expect(await reason('ftp://u:secret@10.1.2.3/x', {})).toBe('blocked');
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
    expect(await reason('/etc/passwd', { allowFiles: false })).toBe('blocked');
    expect(await reason('file:///etc/passwd', { allowFiles: false })).toBe('blocked');
    expect(await reason('rtsp://10.0.0.1/', { allowNetworks: ['10.0.0.0/33'] })).toBe('bad_url');
  });
});
