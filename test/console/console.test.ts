import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { parseConfig } from '../../config/load.js';
import { openDb, type Db } from '../../store/db.js';
import { createUser } from '../../store/users.js';
import { media } from '../support/paths.js';
import { launchChromium } from './browser.js';

/**
 * The console in real Chromium against the real API (PGlite store): what an operator does on a shift.
 * Screenshots of the main pages go to docs/screenshots/ (committed, shown in the README).
 */

const ROOT = resolve(import.meta.dirname, '../..');
const CONSOLE_DIR = join(ROOT, 'console/dist');
const SHOTS = join(ROOT, 'docs/screenshots');
const ADMIN = { username: 'li.wei', password: 'correct-horse-battery' };
const CAMERA_PASSWORD = 'Sup3rSecretCamPw';

let db: Db;
let app: FastifyInstance;
let base: string;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const snapshots = new Map<string, Buffer>();

async function jpeg(rel: string): Promise<Buffer> {
  return sharp(readFileSync(media(rel))).jpeg({ quality: 85 }).toBuffer();
}

/** Calls the API as the admin (checks what the console really saved). */
async function apiGet<T>(path: string): Promise<T> {
  const login = (await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })).json()) as { token: string };
  const res = await fetch(`${base}/api/v1/${path}`, { headers: { authorization: `Bearer ${login.token}` } });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

/** Pointer position of a fraction of the zone canvas. */
async function at(fx: number, fy: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator('[data-testid=zone-svg]').boundingBox())!;
  return { x: box.x + fx * box.width, y: box.y + fy * box.height };
}

async function shot(name: string): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

beforeAll(async () => {
  // The built console is what `weisu serve` serves; build it from the current sources.
  execFileSync('npx', ['vite', 'build', 'console', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  db = await openDb({});
  await createUser(db, { ...ADMIN, role: 'admin' }, 'test');
  snapshots.set('jinjiang-north', await jpeg('street/road_cars_1s.jpg'));
  const config = parseConfig('public_url: http://127.0.0.1:8080\n');
  app = await buildApi({
    db,
    config,
    consoleDir: CONSOLE_DIR,
    snapshot: async (id) => snapshots.get(id),
    health: async (id) => (snapshots.has(id) ? { state: 'online', lastFrameAt: Date.now(), consecutiveFailures: 0, width: 1280, height: 720, codec: 'h264' } : undefined),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

describe('operators console', () => {
  it('refuses a wrong password, then logs in', async () => {
    await page.goto(`${base}/`);
    await page.fill('input[name=username]', ADMIN.username);
    await page.fill('input[name=password]', 'not-the-password');
    await shot('login');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('.error-box').textContent()).toContain('Wrong username or password');
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('.shell');
    expect(await page.textContent('.user')).toContain(ADMIN.username);
  });

  it('registers a camera, names the bad field, and never shows its password', async () => {
    await page.click('[data-action=add-camera]');
    await page.fill('form[data-form=camera] input[name=id]', 'jinjiang-north');
    await page.fill('form[data-form=camera] input[name=name]', 'Jinjiang Rd north gate');
    await page.fill('form[data-form=camera] input[name=url]', `rtsp://ops:${CAMERA_PASSWORD}@127.0.0.1:8554/cam1`);
    await page.fill('form[data-form=camera] input[name=lat]', '40.129');
    await page.fill('form[data-form=camera] input[name=lon]', '124.394');
    await page.fill('form[data-form=camera] input[name=address]', 'Jinjiang Rd 1, Dandong');
    await page.fill('form[data-form=camera] input[name=sample_every]', 'often');
    await page.click('form[data-form=camera] button[type=submit]');
    // The API's problem+json names the field; the form shows it next to that input.
    await expect.poll(() => page.locator('[data-field=sample_every] .field-error').textContent()).toBeTruthy();
    await page.fill('form[data-form=camera] input[name=sample_every]', '10s');
    await page.click('form[data-form=camera] button[type=submit]');
    await page.waitForURL(/#\/cameras\/jinjiang-north/);
    await page.waitForSelector('.zone-canvas img');
    expect(await page.textContent('body')).not.toContain(CAMERA_PASSWORD);
    const cam = await apiGet<{ id: string; url: string; location: { lat: number } }>('cameras/jinjiang-north');
    expect(cam.location.lat).toBe(40.129);
    expect(cam.url).not.toContain(CAMERA_PASSWORD);
  });

  it('draws a no-parking zone on the snapshot, then moves, adds and deletes points', async () => {
    await page.click('[data-action=new-zone]');
    await page.fill('input[name=zone-id]', 'gate');
    const pts: [number, number][] = [
      [0.1, 0.55],
      [0.6, 0.55],
      [0.6, 0.95],
      [0.1, 0.95],
    ];
    for (const [x, y] of pts) {
      const p = await at(x, y);
      await page.mouse.click(p.x, p.y);
    }
    // Clicking the first point closes the shape.
    const first = await at(0.1, 0.55);
    await page.mouse.click(first.x, first.y);
    await page.fill('input[name=dwell]', '2m');
    await shot('zone-editor');
    await page.click('[data-action=save-zone]');
    await page.waitForSelector('[data-zone=gate]');

    let cam = await apiGet<{ zones: { id: string; kind: string; dwell: string; polygon: [number, number][] }[] }>('cameras/jinjiang-north');
    const gate = cam.zones.find((z) => z.id === 'gate')!;
    expect(gate.kind).toBe('no_parking');
    expect(gate.dwell).toBe('2m');
    expect(gate.polygon).toHaveLength(4);
    gate.polygon.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(pts[i]![0], 2);
      expect(y).toBeCloseTo(pts[i]![1], 2);
    });

    // Move point 3 (index 2) by dragging it.
    const from = await at(0.6, 0.95);
    const to = await at(0.7, 0.9);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    // Add a point by dragging the middle handle of the top edge upwards.
    const mid = await at(0.35, 0.55);
    const up = await at(0.35, 0.45);
    await page.mouse.move(mid.x, mid.y);
    await page.mouse.down();
    await page.mouse.move(up.x, up.y, { steps: 5 });
    await page.mouse.up();
    expect(await page.locator('circle.vertex').count()).toBe(5);
    // Delete the last corner with a right-click.
    const last = await at(0.1, 0.95);
    await page.mouse.click(last.x, last.y, { button: 'right' });
    expect(await page.locator('circle.vertex').count()).toBe(4);
    await page.click('[data-action=save-zone]');
    await expect.poll(async () => (await apiGet<{ zones: { polygon: number[][] }[] }>('cameras/jinjiang-north')).zones[0]!.polygon.length).toBe(4);

    cam = await apiGet('cameras/jinjiang-north');
    const poly = cam.zones[0]!.polygon;
    expect(poly[0]).toEqual([0.1, 0.55]);
    expect(poly[1]![0]).toBeCloseTo(0.35, 2);
    expect(poly[1]![1]).toBeCloseTo(0.45, 2);
    expect(poly[3]![0]).toBeCloseTo(0.7, 2);
    expect(poly[3]![1]).toBeCloseTo(0.9, 2);
  });
});
