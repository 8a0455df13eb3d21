import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../alerts/adapters/index.js';
import { evidencePlugin } from '../../alerts/http.js';
import { EvidenceStore } from '../../alerts/evidence_store.js';
import { acceptIncident, type AlertsDeps } from '../../alerts/intake.js';
import { sendDueTickets } from '../../alerts/outbox.js';
import { buildApi } from '../../api/server.js';
import { parseConfig } from '../../config/load.js';
import type { WeisuConfig } from '../../config/schema.js';
import type { IncidentMessage } from '../../core/types.js';
import type { CameraView } from '../../queue/views.js';
import { getCamera } from '../../store/cameras.js';
import { openDb, type Db } from '../../store/db.js';
import { getTicketOfIncident } from '../../store/tickets.js';
import { createUser } from '../../store/users.js';
import { Open311Server } from '../support/open311_server.js';
import { media } from '../support/paths.js';
import { launchChromium, screenshot } from './browser.js';

/**
 * The console in real Chromium against the real API (PGlite store): what an operator does on a shift.
 * Screenshots of the main pages go to a temporary folder, or to WEISU_SCREENSHOTS_DIR when set:
 * `WEISU_SCREENSHOTS_DIR=docs/screenshots npx vitest run test/console` refreshes the committed ones.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const CONSOLE_DIR = join(ROOT, 'console/dist');
const SHOTS = process.env.WEISU_SCREENSHOTS_DIR ? resolve(process.env.WEISU_SCREENSHOTS_DIR) : mkdtempSync(join(tmpdir(), 'weisu-console-shots-'));
const ADMIN = { username: 'li.wei', password: 'correct-horse-battery' };
const CAMERA_PASSWORD = 'Sup3rSecretCamPw';

let db: Db;
let config: WeisuConfig;
let evidence: EvidenceStore;
let evidenceDir: string;
let alerts: AlertsDeps;
let open311: Open311Server;
let app: FastifyInstance;
let base: string;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const snapshots = new Map<string, Buffer>();
/** Anything the browser refused under the console's Content-Security-Policy, or threw. */
const pageProblems: string[] = [];
const health = new Map<string, Record<string, unknown>>();
/** Whether each camera shows its reference view, as the worker records it (queue/views.ts). */
const views = new Map<string, CameraView>();
let adminToken = '';

async function jpeg(rel: string): Promise<Buffer> {
  return sharp(readFileSync(media(rel))).jpeg({ quality: 85 }).toBuffer();
}

/** Calls the API as the admin (checks what the console really saved, and sets up what an integrator would). */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (!adminToken) {
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    adminToken = ((await login.json()) as { token: string }).token;
  }
  const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/api/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status, `${method} ${path}: ${res.status === 204 ? '' : await res.clone().text()}`).toBeLessThan(300);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const apiGet = <T>(path: string) => api<T>('GET', path);

/** Pointer position of a fraction of the zone canvas. */
async function at(fx: number, fy: number): Promise<{ x: number; y: number }> {
  const box = (await page.locator('[data-testid=zone-svg]').boundingBox())!;
  return { x: box.x + fx * box.width, y: box.y + fy * box.height };
}

/** The part of an <img> the checks read (this file is compiled without the DOM library). */
interface Picture {
  naturalWidth: number;
  naturalHeight: number;
}

/** Waits until at least `n` images matching `selector` have really been decoded (not just requested). */
async function imagesShown(selector: string, n: number): Promise<void> {
  await page.waitForFunction(
    ([sel, min]) => Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Picture> } }).document.querySelectorAll(sel as string)).filter((i) => i.naturalWidth > 0).length >= (min as number),
    [selector, n] as const,
  );
}

const shot = (name: string) => screenshot(page, SHOTS, name);

beforeAll(async () => {
  // The built console is what `weisu serve` serves; build it from the current sources.
  execFileSync('npx', ['vite', 'build', 'console', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  db = await openDb({});
  await createUser(db, { ...ADMIN, role: 'admin' }, 'test');
  snapshots.set('jinjiang-north', await jpeg('street/road_cars_1s.jpg'));
  health.set('jinjiang-north', { state: 'online', lastFrameAt: Date.now(), consecutiveFailures: 0, width: 1280, height: 720, codec: 'h264', latencyMs: 610 });
  // The city's case system: a strict Open311 stand-in; parking incidents wait for an operator (review mode).
  open311 = await new Open311Server({ apiKey: 'console-test-key', serviceCodes: ['IP-01', 'SW-07'] }).start();
  config = parseConfig(
    `public_url: http://127.0.0.1:8080
case_api:
  kind: open311
  endpoint: ${open311.endpoint}
  api_key: console-test-key
  service_codes: { illegal_parking: IP-01, bin_overflow: SW-07 }
alerts:
  modes: { no_parking: review, bin_overflow: auto }
# The operators' cameras in this test are loopback servers, registered through the console (the API).
streams: { allow_local_from_api: true }
`,
    'console test config',
    {},
  );
  evidenceDir = mkdtempSync(join(tmpdir(), 'weisu-console-evidence-'));
  evidence = new EvidenceStore({ dir: evidenceDir, publicUrl: config.public_url, ttlMs: 3_600_000 });
  alerts = { db, config, evidence, findCamera: async (id) => (await getCamera(db, id))?.camera };
  app = await buildApi({
    db,
    config,
    consoleDir: CONSOLE_DIR,
    evidenceUrl: (sha) => evidence.url(sha),
    plugins: [(root) => evidencePlugin(root, { store: evidence })],
    snapshot: async (id) => snapshots.get(id),
    // What streams/health.ts records per camera (the worker's bookkeeping), as `weisu serve` passes it on.
    health: async (id) => health.get(id) as never,
    view: async (id) => views.get(id),
    viewPicture: async (id) => (views.get(id)?.state === 'aligned' ? undefined : snapshots.get(id)),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageProblems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()) && pageProblems.push(m.text()));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await open311?.close();
  await db?.close();
  if (evidenceDir) rmSync(evidenceDir, { recursive: true, force: true });
  if (!process.env.WEISU_SCREENSHOTS_DIR) rmSync(SHOTS, { recursive: true, force: true });
});

interface Sighting {
  id: string;
  camera?: string;
  zone?: string;
  kind?: 'no_parking' | 'bin_overflow';
  /** Pictures (media paths) of the first sighting and of the confirmation, and the subject's box in them. */
  first?: string;
  now?: string;
  box?: [number, number, number, number];
  size?: { width: number; height: number };
  plate?: string;
}

/** What the detection worker sends when a rule confirms: real frames, the subject's box (default: a car staying in zone `gate`). */
async function confirmed(o: Sighting): Promise<IncidentMessage> {
  const kind = o.kind ?? 'no_parking';
  const first = await jpeg(o.first ?? 'street/road_cars_1s.jpg');
  const now = await jpeg(o.now ?? 'street/road_cars_4s.jpg');
  const stay = kind === 'no_parking' ? 125_000 : 1_500_000;
  const t0 = Date.now() - stay - 30_000;
  return {
    event: {
      type: 'confirmed',
      incidentId: o.id,
      cameraId: o.camera ?? 'jinjiang-north',
      zoneId: o.zone ?? 'gate',
      kind,
      firstSeen: t0,
      confirmedAt: t0 + stay,
      lastSeen: t0 + stay,
      ts: t0 + stay,
      subject: { box: o.box ?? [503, 455, 750, 658], label: kind === 'no_parking' ? 'car' : 'bin', score: 0.91, trackId: 7 },
      frameSize: o.size ?? { width: 1280, height: 720 },
    },
    frames: [
      { ts: t0, jpegBase64: first.toString('base64'), role: 'first_seen' },
      { ts: t0 + stay, jpegBase64: now.toString('base64'), role: 'confirmed' },
    ],
    ...(kind === 'no_parking' ? { plate: { text: o.plate ?? '辽F·A1234', confidence: 0.87 } } : {}),
  };
}

// Each stay is a different car: the same plate within plates.cooldown would be one offence, not two tickets.
const carStayed = (id: string, plate: string) => confirmed({ id, plate });

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
    // Nudge the first point right with the keyboard: ten presses of a thousandth of the frame.
    const corner = await at(0.1, 0.55);
    await page.mouse.click(corner.x, corner.y);
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    await page.click('[data-action=save-zone]');
    await expect.poll(async () => (await apiGet<{ zones: { polygon: number[][] }[] }>('cameras/jinjiang-north')).zones[0]!.polygon.length).toBe(4);

    cam = await apiGet('cameras/jinjiang-north');
    const poly = cam.zones[0]!.polygon;
    // Points land where the pointer was, to the pixel (a pixel of this canvas is about 0.001).
    expect(poly[0]![0]).toBeCloseTo(0.11, 2);
    expect(poly[0]![1]).toBeCloseTo(0.55, 2);
    expect(poly[1]![0]).toBeCloseTo(0.35, 2);
    expect(poly[1]![1]).toBeCloseTo(0.45, 2);
    expect(poly[3]![0]).toBeCloseTo(0.7, 2);
    expect(poly[3]![1]).toBeCloseTo(0.9, 2);
  });

  it('shows an incident arriving, approves it, and its ticket is filed in the case system', async () => {
    await page.click('[data-nav=incidents]');
    await page.waitForSelector('.queue .state-msg.empty');
    const id = 'jinjiang-north:gate:console-1';
    expect((await acceptIncident(alerts, await carStayed(id, '辽F·A1234'))).created).toBe(true);
    // The queue refreshes by itself: the operator does nothing to see it arrive.
    await page.waitForSelector(`tr[data-incident="${id}"]`, { timeout: 30_000 });
    await page.click(`tr[data-incident="${id}"]`);
    await imagesShown('.evidence img', 1);
    expect(await page.textContent('.incident')).toContain('辽F·A1234');
    await shot('incidents');
    await page.click('[data-action=approve]');
    await expect.poll(async () => (await getTicketOfIncident(db, id))?.state).toBe('pending');

    // The outbox files it with the case system; the tickets page shows it filed, with its age and deadline.
    expect(await sendDueTickets({ db, alerts: config.alerts, adapter: createAdapter(config.case_api!), evidence, callTimeoutMs: 10_000 })).toBe(1);
    expect(open311.requests).toHaveLength(1);
    await page.click('[data-nav=tickets]');
    const row = page.locator('tr[data-ticket]').first();
    await expect.poll(() => row.locator('.tag').textContent()).toBe('Filed');
    expect(await row.locator('[data-sla]').getAttribute('data-sla')).toBe('ok');
    await shot('tickets');
  });

  it('rejects an incident only with a reason, and nothing is filed', async () => {
    const id = 'jinjiang-north:gate:console-2';
    await acceptIncident(alerts, await carStayed(id, '辽F·B5678'));
    await page.click('[data-nav=incidents]');
    await page.waitForSelector(`tr[data-incident="${id}"]`, { timeout: 30_000 });
    await page.click(`tr[data-incident="${id}"]`);
    await page.click('[data-action=reject]');
    expect(await page.locator('.review-box .error-box').textContent()).toContain('Say why');
    await page.fill('textarea[name=reason]', 'Delivery van loading, allowed');
    await page.click('[data-action=reject]');
    await expect.poll(async () => (await getTicketOfIncident(db, id))?.state).toBe('rejected');
    const view = await apiGet<{ state: string; review: { decision: string; reason: string } }>(`incidents/${encodeURIComponent(id)}`);
    expect(view.state).toBe('dismissed');
    expect(view.review).toMatchObject({ decision: 'rejected', reason: 'Delivery van loading, allowed' });
    expect(open311.requests).toHaveLength(1);
  });

  it('shows a fleet at a glance: health colours on the wall, the dashboard, both languages', async () => {
    // An integrator's cameras in every state the workers report.
    const fleet: { id: string; name: string; address: string; picture?: string; state: string; reason?: string; error?: string }[] = [
      { id: 'xinhua-school', name: 'Xinhua Primary School gate', address: 'Xinhua St 18', picture: 'street/road_parked_cars_lane00000.jpg', state: 'online' },
      { id: 'binhai-market', name: 'Binhai market bins', address: 'Binhai Rd 7, market hall', picture: 'bins/full_ds_50.png', state: 'degraded', reason: 'no_frame', error: 'no picture within 10 s (timeout)' },
      { id: 'station-square', name: 'Station Square east', address: 'Station Sq. 1', state: 'offline', reason: 'unreachable', error: 'connection refused by 10.20.0.13:554' },
      { id: 'harbour-rd-12', name: 'Harbour Rd 12', address: 'Harbour Rd 12', picture: 'street/drone_street_visdrone.jpg', state: 'auth_failed', reason: 'auth_failed', error: 'the camera refused the credentials (RTSP 401)' },
      { id: 'parking-lot-b', name: 'Parking lot B entrance', address: 'Yalu River Park, lot B', picture: 'street/parked_car_in_bay.jpg', state: 'online' },
    ];
    for (const [i, c] of fleet.entries()) {
      await api('POST', 'cameras', { id: c.id, name: c.name, url: `rtsp://ops:${CAMERA_PASSWORD}@10.20.0.${11 + i}:554/ch1`, location: { lat: 40.12 + i / 200, lon: 124.38 + i / 200, address: `${c.address}, Dandong` } });
      if (c.picture) snapshots.set(c.id, await jpeg(c.picture));
      const failing = c.state === 'online' ? {} : { failingSince: Date.now() - 47 * 60_000, reason: c.reason, lastError: c.error };
      health.set(c.id, { state: c.state, consecutiveFailures: c.state === 'online' ? 0 : 6, lastFrameAt: Date.now() - (c.state === 'online' ? 6_000 : 47 * 60_000), width: 1920, height: 1080, codec: 'h264', ...failing });
    }
    const bin = (JSON.parse(readFileSync(media('bins/labels.json'), 'utf8')) as { items: { image: string; bin_box: [number, number, number, number] }[] }).items.find((x) => x.image === 'full_ds_50.png')!;
    const [bx1, by1, bx2, by2] = bin.bin_box;
    await api('PUT', 'cameras/binhai-market/zones/bins', { id: 'bins', kind: 'bin_site', polygon: [[bx1 / 640, by1 / 480], [bx2 / 640, by1 / 480], [bx2 / 640, by2 / 480], [bx1 / 640, by2 / 480]], persist: '20m' });
    await api('PUT', 'cameras/xinhua-school/zones/school-gate', {
      id: 'school-gate',
      kind: 'no_parking',
      name: 'School gate, drop-off only',
      polygon: [[0, 0.5], [0.33, 0.5], [0.33, 0.72], [0, 0.76]],
      dwell: '3m',
      schedule: { windows: ['mon-fri 07:00-09:00', 'mon-fri 15:30-17:30'], except: ['2026-10-01..2026-10-07'] },
    });

    // Incidents of the week: parked cars at the school (review) and an overflowing bin (auto-filed).
    const lane = { camera: 'xinhua-school', zone: 'school-gate', first: 'street/road_parked_cars_lane00000.jpg', now: 'street/road_parked_cars_lane00000.jpg', size: { width: 1640, height: 590 } } as const;
    await acceptIncident(alerts, await confirmed({ ...lane, id: 'xinhua-school:school-gate:1', box: [274, 310, 490, 394], plate: '辽F·5D218' }));
    await acceptIncident(alerts, await confirmed({ ...lane, id: 'xinhua-school:school-gate:2', box: [900, 290, 1050, 366], plate: '辽F·K0731' }));
    await acceptIncident(alerts, await confirmed({ id: 'binhai-market:bins:1', camera: 'binhai-market', zone: 'bins', kind: 'bin_overflow', first: 'bins/full_ds_50.png', now: 'bins/full_ds_50.png', box: bin.bin_box, size: { width: 640, height: 480 } }));
    expect(await sendDueTickets({ db, alerts: config.alerts, adapter: createAdapter(config.case_api!), evidence, callTimeoutMs: 10_000 })).toBe(1);
    expect(open311.requests.map((r) => r.service_code).sort()).toEqual(['IP-01', 'SW-07']);

    // The wall asks for every camera's health in one call, never once per card.
    const healthCalls: string[] = [];
    const countHealth = (r: { url(): string }) => void (/\/api\/v1\/cameras\/[^?]*health/.test(r.url()) && healthCalls.push(new URL(r.url()).pathname));
    page.on('request', countHealth);
    await page.click('[data-nav=cameras]');
    for (const [id, state] of [['station-square', 'offline'], ['harbour-rd-12', 'auth_failed'], ['binhai-market', 'degraded'], ['xinhua-school', 'online'], ['parking-lot-b', 'online']]) {
      await page.waitForSelector(`[data-camera=${id}] [data-health=${state}]`);
    }
    // Worst first: an operator sees the dead cameras before the healthy ones.
    const order = await page.locator('.cam-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-camera')));
    expect(order.slice(0, 3).sort()).toEqual(['binhai-market', 'harbour-rd-12', 'station-square']);
    page.off('request', countHealth);
    expect(new Set(healthCalls)).toEqual(new Set(['/api/v1/cameras/health']));
    // Stream problems in plain words; the camera's own technical text one click away.
    expect(await page.locator('[data-camera=harbour-rd-12] .stream-problem > span').textContent()).toContain('refused the username or password');
    expect(await page.locator('[data-camera=harbour-rd-12] .stream-problem details code').textContent()).toContain('refused the credentials');
    await imagesShown('.cam-thumb img', 5);
    expect(await page.textContent('body')).not.toContain(CAMERA_PASSWORD);
    await shot('wall');

    await page.click('[data-camera=xinhua-school]');
    await page.waitForSelector('[data-zone=school-gate]');
    await page.waitForSelector('.zone-canvas img');
    expect(await page.locator('.schedule-row').count()).toBe(2);
    await shot('camera');

    await page.click('[data-nav=dashboard]');
    await page.waitForSelector('[data-testid=hotspots] li');
    const hot = await page.locator('[data-testid=hotspots] li').allTextContents();
    expect(hot[0]).toContain('Xinhua Primary School gate');
    expect(hot[0]).toMatch(/2$/);
    await shot('dashboard');

    // The queue and the tickets with a day's work in them, for the README.
    await page.click('[data-nav=incidents]');
    await page.click('tr[data-incident="xinhua-school:school-gate:1"]');
    await imagesShown('.evidence img', 2);
    expect(await page.locator('tr[data-incident]').count()).toBe(3);
    await shot('incidents');
    await page.click('[data-nav=tickets]');
    await expect.poll(() => page.locator('tr[data-ticket]').count()).toBe(5);
    await shot('tickets');

    // 中文: every label switches, and the choice survives a reload.
    await page.click('[data-lang=zh-CN]');
    await page.click('[data-nav=cameras]');
    await expect.poll(() => page.textContent('.page-header h1')).toBe('监控墙');
    await page.reload();
    await page.waitForSelector('.cam-card');
    expect(await page.textContent('[data-nav=incidents]')).toContain('事件审核');
    // Health arrives in its own call after the list: wait for it rather than read the placeholder.
    await expect.poll(() => page.textContent('[data-camera=station-square] [data-health]')).toContain('离线');
    await shot('wall-zh-CN');
    await page.click('[data-lang=en]');
  });

  it('shows a bin site as the camera sees it now, for labelling', async () => {
    await page.click('[data-nav=calibration]');
    await page.waitForSelector('[data-site="binhai-market/bins"]');
    // The crop is the latest frame cut to the zone: the bin of the labelled picture, not the whole frame.
    await imagesShown('[data-testid=calib-crop]', 1);
    const size = await page.locator('[data-testid=calib-crop]').evaluate((img) => [(img as unknown as Picture).naturalWidth, (img as unknown as Picture).naturalHeight]);
    const bin = (JSON.parse(readFileSync(media('bins/labels.json'), 'utf8')) as { items: { image: string; bin_box: number[] }[] }).items.find((x) => x.image === 'full_ds_50.png')!.bin_box;
    expect(size[0]).toBeGreaterThan((bin[2]! - bin[0]!) * 0.95);
    expect(size[0]).toBeLessThan(640 * 0.8);

    // Labelling: the server cuts the latest frame to the zone, embeds it with the zone's classifier and keeps it.
    await page.click('[data-label=overflowing]');
    await page.waitForSelector('[data-example]', { timeout: 60_000 });
    await imagesShown('[data-example] img', 1);
    expect(await page.textContent('.kpi.label-overflowing .kpi-value')).toMatch(/^1\s*\/\s*3$/);
    const stored = await apiGet<{ items: { label: string; source: string }[]; k: number }>('cameras/binhai-market/zones/bins/calibration');
    expect(stored.items).toMatchObject([{ label: 'overflowing', source: 'latest frame' }]);
    await shot('calibration');
  });

  it('shows on the wall a camera whose lens is covered, with its picture, and retakes its reference view from its page', async () => {
    views.set('jinjiang-north', { state: 'obstructed', reason: 'covered', since: Date.now() - 120_000, at: Date.now() });
    await page.click('[data-nav=cameras]');
    await page.waitForSelector('[data-camera=jinjiang-north] [data-health=obstructed]');
    expect(await page.textContent('[data-camera=jinjiang-north] .cam-error')).toContain('lens covered');
    await page.click('[data-camera=jinjiang-north]');
    await page.waitForSelector('[data-view=obstructed]');
    await imagesShown('[data-view=obstructed] img', 1);
    const before = (await apiGet<{ items: { id: string }[] }>('cameras/jinjiang-north/references')).items.map((v) => v.id);
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-action=retake-reference]');
    await expect.poll(async () => (await apiGet<{ items: { id: string; preset: string }[] }>('cameras/jinjiang-north/references')).items.filter((v) => v.preset === '' && !before.includes(v.id)).length).toBe(1);
    views.set('jinjiang-north', { state: 'aligned', since: Date.now(), at: Date.now(), shift: 0 });
  });

  it('shows a viewer what is there, and no button the API would refuse', async () => {
    await createUser(db, { username: 'wang.fang', password: 'viewer-password-1', role: 'viewer' }, 'test');
    const viewer = await browser.context.newPage();
    try {
      await viewer.goto(`${base}/`);
      await viewer.fill('input[name=username]', 'wang.fang');
      await viewer.fill('input[name=password]', 'viewer-password-1');
      await viewer.click('button[type=submit]');
      await viewer.waitForSelector('.cam-card');
      expect(await viewer.locator('[data-action=add-camera]').count()).toBe(0);
      await viewer.click('[data-camera=xinhua-school]');
      await viewer.waitForSelector('[data-zone=school-gate]');
      expect(await viewer.locator('[data-action=new-zone], [data-action=save-zone]').count()).toBe(0);
      await viewer.click('[data-nav=incidents]');
      await viewer.click('tr[data-incident="xinhua-school:school-gate:2"]');
      await viewer.waitForSelector('[data-incident-detail]');
      expect(await viewer.locator('[data-action=approve], [data-action=reject]').count()).toBe(0);
      expect(await viewer.locator('[data-nav=calibration]').count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it('ran the whole shift without a script error or a CSP refusal', () => {
    expect(pageProblems).toEqual([]);
  });
});
