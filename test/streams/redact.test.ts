import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from '../../streams/redact.js';

describe('redaction', () => {
  it('hides passwords and secret query values, keeps what identifies the camera', () => {
    expect(redactUrl('rtsp://admin:12345@192.168.1.64:554/Streaming/Channels/101')).toBe('rtsp://admin:***@192.168.1.64:554/Streaming/Channels/101');
    expect(redactUrl('http://cam.example/snap.jpg?user=op&password=s3cret&channel=2')).toBe('http://cam.example/snap.jpg?user=op&password=***&channel=2');
    expect(redactUrl('rtsp://admin:p@ss@10.0.0.5/live')).not.toContain('p@ss');
    expect(redactUrl('/var/video/cam.mp4')).toBe('/var/video/cam.mp4');
  });

  it('finds URLs inside free text such as ffmpeg messages', () => {
    const line = "[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized for 'rtsp://op:hunter2@10.1.1.1/ch1'";
    const out = redactText(line);
    expect(out).toContain('rtsp://op:***@10.1.1.1/ch1');
    expect(out).not.toContain('hunter2');
  });
});
