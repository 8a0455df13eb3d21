import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidencePlugin } from '../../alerts/http.js';
import { EvidenceStore } from '../../alerts/evidence_store.js';

const store = new EvidenceStore({ dir: mkdtempSync(join(tmpdir(), 'weisu-http-')), publicUrl: 'http://127.0.0.1/', ttlMs: 60_000 });
const sha = store.put(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
const path = (url: string) => url.replace('http://127.0.0.1', '');

describe.each([
  ['a plain Fastify server', false],
  ['a server with zod compilers and OpenAPI (as weisu serve builds it)', true],
] as const)('evidence route in %s', (_, zodHost) => {
  async function app() {
    const a = Fastify();
    if (zodHost) {
      a.setValidatorCompiler(validatorCompiler);
      a.setSerializerCompiler(serializerCompiler);
      await a.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } }, transform: jsonSchemaTransform });
    }
    await a.register(evidencePlugin, { store });
    await a.ready();
    return a;
  }

  it('serves a signed URL as a JPEG and refuses bad, expired, malformed and unsigned ones', async () => {
    const a = await app();
    const ok = await a.inject(path(store.url(sha)));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/jpeg');
    expect(ok.rawPayload).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect(ok.headers['cache-control']).toMatch(/^private, max-age=\d+/);
    const bad = await a.inject(path(store.url(sha)).replace(/sig=[0-9a-f]/, (m) => (m.endsWith('0') ? 'sig=1' : 'sig=0')));
    expect([bad.statusCode, bad.json().error]).toEqual([403, 'forbidden']);
    expect((await a.inject(path(store.url(sha, Date.now() - 120_000)))).statusCode).toBe(410);
    expect((await a.inject(`/evidence/${sha}.jpg`)).statusCode).toBe(400);
    expect((await a.inject(`/evidence/../../etc/passwd?exp=1&sig=${'0'.repeat(64)}`)).statusCode).toBe(404);
    const missing = 'c'.repeat(64);
    expect((await a.inject(path(store.url(missing)))).statusCode).toBe(404);
    if (zodHost) expect(Object.keys((a.swagger() as { paths: Record<string, unknown> }).paths)).toContain('/evidence/{file}');
    await a.close();
  });
});
