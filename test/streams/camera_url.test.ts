import { describe, expect, it } from 'vitest';
import { displayUrl, hrefWithCredentials, parseCameraUrl, sameEndpoint, type NetworkCameraUrl } from '../../streams/camera_url.js';
import { StreamError } from '../../streams/errors.js';
import { redactText, redactUrl } from '../../streams/redact.js';

function refused(raw: string): StreamError {
  try {
    parseCameraUrl(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(StreamError);
    return e as StreamError;
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

const net = (raw: string) => parseCameraUrl(raw) as NetworkCameraUrl;

describe('parseCameraUrl: one parser, one meaning', () => {
  it('refuses what two parsers could read two ways, and never repeats the URL in its message', () => {
    const bad = [
      'http://127.0.0.1\\@127.0.0.2:8080/x.m3u8', // the backslash trick of the issue
      'rtsp://a:b@c@10.0.0.1/x', // two @
      'rtsp://admin:12/34@10.0.0.1/live', // a / in the password ends the authority early
      'rtsp://admin:pa?ss@10.0.0.1/live',
      'rtsp://admin:pa#ss@10.0.0.1/live',
      'rtsp://admin:50%zz@10.0.0.1/live', // % not followed by hex
      'rtsp://10.0.0.1/a\nb',
      'rtsp://10.0.0.1/\u0000',
      'rtsp://10.0.0.1/a b',
      'rtsp://',
      'http:///etc/passwd',
      'rtsp://:554/x',
      'rtsp://10.0.0.1:0/x',
      'rtsp://10.0.0.1:65536/x',
      'rtsp://10.0.0.1:12ab/x',
      'rtsp://10.0.0.1:/x',
      'rtsp:10.0.0.1/x',
      'gopher://10.0.0.1/x',
      'ftp://10.0.0.1/x',
      'javascript:alert(1)',
      'localhost:8554/cam',
      'not a url',
      '',
      'file://evil.example/etc/passwd',
      'http://exa mple.com/',
      'http://[::1/x',
    ];
    for (const raw of bad) {
      const e = refused(raw);
      expect(e.reason, raw).toBe('bad_url');
      expect(e.field, raw).toBe('url');
      expect(e.fix, raw).toBeTruthy();
      for (const secret of ['12/34', 'pa?ss', 'pa#ss', '50%zz', 'b@c']) expect(e.message).not.toContain(secret);
    }
  });

  it('re-serialises: canonical host, port as given, credentials apart and decoded, no fragment', () => {
    const u = net('RTSP://Admin:p%40ss%2Fw%3Ard%25@CAM.Example.COM:8554/Streaming/Channels/101?transportmode=unicast#frag');
    expect(u).toMatchObject({ scheme: 'rtsp', host: 'cam.example.com', port: 8554, username: 'Admin', password: 'p@ss/w:rd%' });
    expect(u.href).toBe('rtsp://cam.example.com:8554/Streaming/Channels/101?transportmode=unicast');
    // Hosts the OS would read as another address are written as that address for every scheme.
    expect(net('rtsp://0x7f.1/x').host).toBe('127.0.0.1');
    expect(net('http://2130706433/x').host).toBe('127.0.0.1');
    expect(net('rtsp://[::FFFF:127.0.0.1]/x')).toMatchObject({ host: '::ffff:7f00:1', port: 554, href: 'rtsp://[::ffff:7f00:1]/x' });
    expect(net('rtsp://10.0.0.1/x').port).toBe(554);
    expect(net('rtsps://10.0.0.1/x').port).toBe(322);
    expect(net('https://10.0.0.1/x').port).toBe(443);
    expect(net('http://10.0.0.1:80/x').href).toBe('http://10.0.0.1:80/x');
    expect(net('rtsp://user:pa:ss@10.0.0.1/x').password).toBe('pa:ss');
  });

  it('reads files: absolute and relative paths, file:///; refuses remote file hosts', () => {
    expect(parseCameraUrl('/var/video/cam 1.mp4')).toEqual({ kind: 'file', path: '/var/video/cam 1.mp4', href: '/var/video/cam 1.mp4' });
    expect(parseCameraUrl('../media/cam.mp4')).toMatchObject({ kind: 'file', path: '../media/cam.mp4' });
    expect(parseCameraUrl('file:///var/video/cam.mp4')).toMatchObject({ kind: 'file', path: '/var/video/cam.mp4' });
    expect(parseCameraUrl('/etc/passwd').kind).toBe('file'); // a file: whether it may be opened is the policy's call
  });

  it('puts credentials back only for tools that need them, percent-encoded; shows them redacted', () => {
    const u = net('rtsp://10.0.0.1/x');
    u.username = 'op';
    u.password = 'a/b@c:d%e';
    expect(hrefWithCredentials(u)).toBe('rtsp://op:a%2Fb%40c%3Ad%25e@10.0.0.1/x');
    expect(net(hrefWithCredentials(u)).password).toBe('a/b@c:d%e');
    expect(displayUrl(u)).toBe('rtsp://op:***@10.0.0.1/x');
  });

  it('tells endpoints apart by scheme, host and port', () => {
    expect(sameEndpoint(net('rtsp://a:b@10.0.0.1/x'), net('rtsp://10.0.0.1:554/y'))).toBe(true);
    expect(sameEndpoint(net('rtsp://10.0.0.1/x'), net('rtsp://10.0.0.2/x'))).toBe(false);
    expect(sameEndpoint(net('rtsp://10.0.0.1/x'), net('rtsp://10.0.0.1:8554/x'))).toBe(false);
    expect(sameEndpoint(net('http://10.0.0.1/x'), net('https://10.0.0.1/x'))).toBe(false);
  });
});

describe('redaction of passwords with / @ : %', () => {
  it('hides the whole userinfo when it is not a plain user:password, never half of it', () => {
    for (const pw of ['a/b', 'p@ss', 'x:y', '50%', 'p@ss/w:rd%']) {
      for (const raw of [`rtsp://admin:${pw}@10.0.0.5/live`, `rtsp://admin:${encodeURIComponent(pw)}@10.0.0.5/live`]) {
        const out = redactUrl(raw);
        expect(out, raw).not.toContain(pw);
        expect(out, raw).not.toContain(encodeURIComponent(pw));
        expect(out, raw).toMatch(/@10\.0\.0\.5\/live$/);
        expect(redactText(`ffmpeg: '${raw}' failed`)).not.toContain(pw);
      }
    }
    expect(redactUrl('rtsp://admin:12345@192.168.1.64:554/ch1')).toBe('rtsp://admin:***@192.168.1.64:554/ch1');
    expect(redactUrl('redis://:hunter2@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
  });
});
