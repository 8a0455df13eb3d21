import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptIncident } from '../../../alerts/intake.js';
import { AlertsService } from '../../../alerts/service.js';
import { getIncident } from '../../../store/incidents.js';
import { getTicketOfIncident } from '../../../store/tickets.js';
import { alertsConfig, alertsDeps, confirmedMessage, until } from '../fixtures.js';

/**
 * A 12345 / 数字城管 style platform: JSON in, `{code, msg, data}` out, bearer token, strict about the
 * fields its case form needs. It can hang after storing a case (the ambiguous failure).
 */
class CityPlatform {
  readonly cases: { caseId: string; body: Record<string, unknown>; status: string }[] = [];
  readonly reopened: { caseId: string; body: Record<string, unknown> }[] = [];
  posts = 0;
  hangNextAfterStoring = 0;
  url = '';
  private server!: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.method!, new URL(req.url!, 'http://x'), req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private handle(method: string, url: URL, headers: Record<string, unknown>, text: string, res: import('node:http').ServerResponse) {
    const send = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (headers.authorization !== 'Bearer city-token') return send(401, { code: 401, msg: '未授权' });
    if (method === 'POST' && url.pathname === '/api/cases') {
      this.posts += 1;
      const body = JSON.parse(text) as Record<string, unknown>;
      const problems = [
        body.案件来源 !== '视频智能发现' && '案件来源',
        !/^\d+$/.test(String(body.大类)) && '大类',
        !/^\d+$/.test(String(body.小类)) && '小类',
        typeof body.经度 !== 'number' && '经度',
        typeof body.纬度 !== 'number' && '纬度',
        !body.地址 && '地址',
        !body.网格 && '网格',
        !body.问题描述 && '问题描述',
        !(Array.isArray(body.图片) && body.图片.length > 0 && body.图片.every((u) => /^https?:\/\//.test(String(u)))) && '图片',
        !body.外部编号 && '外部编号',
      ].filter(Boolean);
      if (problems.length) return send(200, { code: 1001, msg: `缺少字段: ${problems.join(',')}` });
      const caseId = `SZCG-${1000 + this.cases.length}`;
      this.cases.push({ caseId, body, status: '处理中' });
      if (this.hangNextAfterStoring > 0) {
        this.hangNextAfterStoring -= 1;
        return; // stored, never answered
      }
      return send(200, { code: 0, msg: 'ok', data: { caseId } });
    }
    if (method === 'GET' && url.pathname === '/api/cases') {
      const ext = url.searchParams.get('ext');
      return send(200, { code: 0, data: this.cases.filter((c) => c.body.外部编号 === ext).map((c) => ({ caseId: c.caseId })) });
    }
    const back = /^\/api\/cases\/([^/]+)\/reopen$/.exec(url.pathname);
    if (method === 'POST' && back) {
      const c = this.cases.find((x) => x.caseId === back[1]);
      if (!c) return send(404, { code: 404, msg: '无此案件' });
      c.status = '重新办理';
      this.reopened.push({ caseId: c.caseId, body: JSON.parse(text) as Record<string, unknown> });
      return send(200, { code: 0, msg: 'ok' });
    }
    const m = /^\/api\/cases\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && m) {
      const c = this.cases.find((x) => x.caseId === m[1]);
      return c ? send(200, { code: 0, data: { status: c.status } }) : send(404, { code: 404, msg: '无此案件' });
    }
    send(404, { code: 404, msg: 'not found' });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(withLookup: boolean, verdict: 'gone' | 'present' = 'gone') {
  const city = await new CityPlatform().start();
  const config = alertsConfig(
    `alerts:\n  outbox: { base_delay: 20ms, poll: 20ms, attempts: 5 }\n  status_poll: 50ms`,
    `case_api:
  kind: json
  url: ${city.url}/api/cases
  headers: { Authorization: "Bearer city-token" }
  timeout: 300ms
  categories:
    illegal_parking: { major: "03", minor: "0301" }
    bin_overflow: { major: "01", minor: "0105" }
  areas:
    jinjiang-north: { grid: "锦江-03网格", street: "锦江街道" }
  body:
    案件来源: "{{source}}"
    大类: "{{category.major}}"
    小类: "{{category.minor}}"
    网格: "{{grid}}"
    街道: "{{street}}"
    经度: "{{lon}}"
    纬度: "{{lat}}"
    地址: "{{address}}"
    问题描述: "{{description_zh}}"
    图片: "{{photo_urls}}"
    外部编号: "{{ref}}"
    标题: "{{camera_name}} {{label}}"
  case_id_path: data.caseId
${withLookup ? `  lookup: { url: "${city.url}/api/cases?ext={{ref}}", case_id_path: "data[0].caseId" }` : ''}
  status: { url: "${city.url}/api/cases/{{case_id}}", status_path: data.status, closed: ["已办结"] }
  reopen: { url: "${city.url}/api/cases/{{case_id}}/reopen", body: { 原因: "{{reason}}", 图片: "{{photo_urls}}" } }`,
  );
  const deps = await alertsDeps(config);
  const service = new AlertsService({ ...deps, recheck: async () => verdict });
  service.start();
  cleanups.push(async () => {
    await service.stop();
    await city.close();
    await deps.db.close();
  });
  return { city, deps };
}

describe('generic JSON case adapter (12345 / 数字城管)', () => {
  it('files a case with the platform\'s fields, finds it by look-up after a timeout instead of filing twice, and follows it to verification', async () => {
    const { city, deps } = await setUp(true);
    city.hangNextAfterStoring = 1;
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    await until(async () => (await getTicketOfIncident(deps.db, m.event.incidentId))?.state === 'filed', 10_000, 'filed');
    expect(city.cases).toHaveLength(1);
    expect(city.posts).toBe(1);
    const c = city.cases[0]!;
    const t = await getTicketOfIncident(deps.db, m.event.incidentId);
    expect(t?.requestId).toBe(c.caseId);
    expect(c.body).toMatchObject({ 案件来源: '视频智能发现', 大类: '03', 小类: '0301', 网格: '锦江-03网格', 街道: '锦江街道', 经度: 124.394, 纬度: 40.129, 外部编号: t!.ref });
    expect(c.body.标题).toBe('锦江路北门 Jinjiang Rd north gate car');
    expect(c.body.问题描述).toMatch(/^【视频智能发现】/);
    expect(c.body.图片).toHaveLength(2);

    c.status = '已办结';
    await until(async () => (await getIncident(deps.db, m.event.incidentId))?.state === 'verified', 10_000, 'verified');
  });

  it('sends a case back when the city closed it but the camera still sees the car', async () => {
    const { city, deps } = await setUp(true, 'present');
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    await until(async () => (await getTicketOfIncident(deps.db, m.event.incidentId))?.state === 'filed', 10_000, 'filed');
    city.cases[0]!.status = '已办结';
    await until(() => city.reopened.length === 1, 10_000, 'sent back');
    expect(city.reopened[0]!.body.原因).toBe('回头看：车辆仍在禁停区域 / re-check: the vehicle is still there');
    expect(city.reopened[0]!.body.图片).toHaveLength(2);
    expect((await getIncident(deps.db, m.event.incidentId))?.state).toBe('closed_not_fixed');
    await until(async () => (await deps.db.query("SELECT 1 FROM audit WHERE action = 'sent_back'")).length === 1, 5000, 'audited');
  });

  it('dead-letters instead of risking a duplicate when the platform offers no look-up', async () => {
    const { city, deps } = await setUp(false);
    city.hangNextAfterStoring = 1;
    const m = confirmedMessage();
    await acceptIncident(deps, m);
    await until(async () => (await getTicketOfIncident(deps.db, m.event.incidentId))?.state === 'dead', 10_000, 'dead');
    const t = await getTicketOfIncident(deps.db, m.event.incidentId);
    expect(t!.lastError).toContain(`check for reference ${t!.ref}`);
    expect(city.posts).toBe(1);
  });

  it('treats a 200 answer carrying an error code as unfiled-or-unknown: looks up, then posts again only when absent', async () => {
    const { city, deps } = await setUp(true);
    const m = confirmedMessage();
    // The platform's form needs a grid: a camera without one is refused with code 1001 inside a 200.
    (deps.config.case_api as { areas: Record<string, unknown> }).areas = {};
    await acceptIncident(deps, m);
    await until(async () => ((await getTicketOfIncident(deps.db, m.event.incidentId))?.attempts ?? 0) >= 2, 10_000, 'two attempts');
    expect(city.cases).toHaveLength(0);
    expect((await getTicketOfIncident(deps.db, m.event.incidentId))!.lastError).toContain('缺少字段: 网格');
  });
});
