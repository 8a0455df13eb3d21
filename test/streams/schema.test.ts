import { describe, expect, it } from 'vitest';
import { backoffPolicy, sourceDefaults, streamsSchema } from '../../streams/schema.js';

describe('streams config', () => {
  it('fills defaults a fleet can run on', () => {
    const s = streamsSchema.parse({});
    expect(sourceDefaults(s)).toEqual({ connectTimeoutMs: 5000, frameTimeoutMs: 12000, jpegQuality: 90, policy: { allowNetworks: [], allowLocal: true } });
    expect(sourceDefaults(s, 'api').policy).toEqual({ allowNetworks: [], allowLocal: false });
    expect(backoffPolicy(s)).toEqual({ baseMs: 5000, maxMs: 300000, jitter: 0.2, offlineAfter: 3 });
    expect(s.live).toEqual({ max_relays: 4, width: 960, linger: 5000 });
  });

  it('takes durations and networks, and names the bad entry', () => {
    const s = streamsSchema.parse({ allow_networks: ['10.0.0.0/8', 'fd00::/8'], connect_timeout: '2s', frame_timeout: '30s', retry: { first: '1s', max: '1m' } });
    expect(sourceDefaults(s)).toMatchObject({ connectTimeoutMs: 2000, frameTimeoutMs: 30000, policy: { allowNetworks: ['10.0.0.0/8', 'fd00::/8'] } });
    const bad = streamsSchema.safeParse({ allow_networks: ['10.0.0.0/8', '10.0.0.0/40'], connect_timeout: 'soon' });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['allow_networks.1', 'connect_timeout']));
    expect(streamsSchema.safeParse({ timeout: '5s' }).success).toBe(false);
  });
});
