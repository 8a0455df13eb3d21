import type { JsonApiConfig } from '../schema.js';
import type { CaseRequest } from '../case_request.js';
import { readPath, renderTemplate, renderUrl, type TemplateValues } from '../template.js';
import { call, clip, failureOfStatus, parseJson, type HttpAnswer } from './http.js';
import { CaseCallError, type CaseAdapter } from './types.js';

/**
 * A 12345 / 数字城管 platform that takes a JSON body: URL, method, headers and body are templates over
 * the fields in template.ts (案件来源, 大类/小类, grid/street, lat/lng, address, description, photos),
 * the case id is read at `case_id_path`. Look-up and status are optional, as platforms differ.
 */
export function jsonAdapter(cfg: JsonApiConfig): CaseAdapter {
  const timeoutMs = cfg.timeout;

  function values(req: CaseRequest, caseId?: string, reason?: string): TemplateValues {
    const category = cfg.categories[req.category];
    const area = cfg.areas[req.cameraId] ?? {};
    return {
      ref: req.ref,
      incident_id: req.incidentId,
      kind: req.kind,
      source: '视频智能发现',
      'category.major': category.major,
      'category.minor': category.minor,
      camera_id: req.cameraId,
      camera_name: req.cameraName,
      zone_id: req.zoneId,
      lat: req.lat,
      lon: req.lon,
      address: req.address,
      grid: area.grid ?? '',
      street: area.street ?? '',
      description: req.description,
      description_zh: req.descriptionZh,
      description_en: req.descriptionEn,
      media_url: req.mediaUrl ?? '',
      photo_urls: req.photoUrls,
      map_link: req.mapLink,
      first_seen: req.firstSeenIso ?? '',
      confirmed_at: req.confirmedIso ?? '',
      duration_seconds: req.durationSeconds,
      label: req.label,
      plate: req.plate ?? '',
      case_id: caseId ?? '',
      reason: reason ?? '',
    };
  }

  const headers = (v: TemplateValues) => renderTemplate(cfg.headers, v) as Record<string, string>;

  function jsonOf(answer: HttpAnswer, what: string): unknown {
    if (answer.status < 200 || answer.status >= 300) {
      throw new CaseCallError(failureOfStatus(answer.status), `${what} answered ${answer.status}: ${clip(answer.text)}`);
    }
    const body = parseJson(answer.text);
    if (body === undefined) throw new CaseCallError('ambiguous', `${what} answered ${answer.status} with unreadable JSON: ${clip(answer.text)}`);
    return body;
  }

  const idAt = (body: unknown, path: string): string | undefined => {
    const v = readPath(body, path);
    return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
  };

  const lookupCfg = cfg.lookup;
  const statusCfg = cfg.status;
  const reopenCfg = cfg.reopen;
  return {
    kind: 'json',

    async file(req) {
      const v = values(req);
      const answer = await call(renderUrl(cfg.url, v), {
        method: cfg.method,
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json', ...headers(v) },
        body: JSON.stringify(renderTemplate(cfg.body, v)),
        timeoutMs,
      });
      const body = jsonOf(answer, `${cfg.method} case`);
      const id = idAt(body, cfg.case_id_path);
      // Many platforms answer 200 with an error code inside: without a case id we cannot tell, so look up.
      if (!id) throw new CaseCallError('ambiguous', `the case system answered without a case id at ${cfg.case_id_path}: ${clip(answer.text)}`);
      return { requestId: id };
    },

    lookup: lookupCfg
      ? async (req) => {
          const v = values(req);
          const answer = await call(renderUrl(lookupCfg.url, v), { method: 'GET', headers: { accept: 'application/json', ...headers(v) }, timeoutMs });
          if (answer.status === 404) return null;
          const id = idAt(jsonOf(answer, 'case look-up'), lookupCfg.case_id_path);
          return id ? { requestId: id } : null;
        }
      : undefined,

    status: statusCfg
      ? async (caseId) => {
          // Status URLs use only case_id; the other fields are not known here.
          const v: TemplateValues = { case_id: caseId };
          const answer = await call(renderUrl(statusCfg.url, v), { method: 'GET', headers: { accept: 'application/json', ...headers(v) }, timeoutMs });
          const status = readPath(jsonOf(answer, 'case status'), statusCfg.status_path);
          return { status: statusCfg.closed.includes(String(status)) ? 'closed' : 'open', notes: status === undefined ? undefined : String(status) };
        }
      : undefined,

    reopen: reopenCfg
      ? async (caseId, req, reason) => {
          const v = values(req, caseId, reason);
          const answer = await call(renderUrl(reopenCfg.url, v), {
            method: reopenCfg.method,
            headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json', ...headers(v) },
            body: JSON.stringify(renderTemplate(reopenCfg.body, v)),
            timeoutMs,
          });
          jsonOf(answer, 'case reopen');
        }
      : undefined,
  };
}
