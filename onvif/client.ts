import { request } from 'node:http';
import { WeisuError } from '../core/errors.js';
import { parseCameraUrl, type NetworkCameraUrl } from '../streams/camera_url.js';
import { pinnedLookup } from '../streams/pinned_http.js';
import { pinTarget, type PinnedAddress, type UrlPolicy } from '../streams/policy.js';
import { bodyOf, describeFault, envelope, NS, usernameToken } from './soap.js';
import { childOf, childrenOf, escapeXml, parseXml, type XmlElement } from './xml.js';

/**
 * weisu's ONVIF client: a small strict SOAP 1.2 client for the few operations patrols need (read presets,
 * go to one, read the head's status). A camera is hostile: every reply is capped in size and time, parsed by
 * onvif/xml.ts (no DTDs), and each value is checked before use. The address is judged by the camera's URL
 * policy once and connected to at the pinned address; the service addresses the camera reports (XAddr) only
 * lend their path — the host and port stay the configured ones, so a camera cannot send weisu elsewhere
 * (and a camera behind NAT that reports its inner address still works). Requests are signed with a
 * WS-Security PasswordDigest against the camera's own clock (read first with GetSystemDateAndTime). The
 * password is never put in an error or a log line.
 */
export interface OnvifTarget {
  /** The device service, e.g. http://192.0.2.10/onvif/device_service. */
  address: string;
  user: string;
  password: string;
  /** A media profile token; default: the first profile with a PTZ configuration. */
  profile?: string;
}

export interface PtzVector {
  pan: number;
  tilt: number;
  zoom: number;
}

export interface OnvifPreset {
  token: string;
  name: string;
  position?: PtzVector;
}

export interface PtzStatus {
  position?: PtzVector;
  /** Pan/tilt or zoom reported MOVING. */
  moving: boolean;
}

/** Bytes of one SOAP reply: a GetPresets of 256 presets is ~100 kB. */
export const ONVIF_MAX_REPLY_BYTES = 512 * 1024;
/** Presets read from one camera (domes offer 128 to 256). */
export const ONVIF_MAX_PRESETS = 256;
const TOKEN = /^[\x21-\x7e]{1,64}$/;

export class OnvifError extends WeisuError {
  constructor(message: string, fix: string, cause?: unknown) {
    super('onvif_failed', message, { field: 'onvif', fix, cause });
  }
}

interface Services {
  device: string;
  media: string;
  ptz: string;
}

export class OnvifClient {
  private constructor(
    private readonly target: OnvifTarget,
    private readonly base: NetworkCameraUrl,
    private readonly pinned: PinnedAddress,
    private readonly timeoutMs: number,
    private clockOffsetMs: number,
    private services: Services,
    private profileToken = '',
  ) {}

  /**
   * Checks the address against `policy`, reads the camera's clock and its services, and picks the profile:
   * every later call is signed and addressed from what this learnt.
   */
  static async connect(target: OnvifTarget, o: { policy: UrlPolicy; timeoutMs?: number }): Promise<OnvifClient> {
    let u;
    try {
      u = parseCameraUrl(target.address);
    } catch (e) {
      throw new OnvifError('onvif.address is not a URL weisu can read', 'write it like http://192.0.2.10/onvif/device_service', e);
    }
    if (u.kind !== 'network' || u.scheme !== 'http') throw new OnvifError('onvif.address must be an http:// URL', 'write it like http://192.0.2.10/onvif/device_service');
    if (u.username || u.password) throw new OnvifError('onvif.address must not carry credentials', 'put them in onvif.user and onvif.password');
    let pinned: PinnedAddress;
    try {
      pinned = await pinTarget(u, o.policy);
    } catch (e) {
      throw new OnvifError(`onvif.address: ${(e as Error).message}`, e instanceof WeisuError && e.fix ? e.fix : 'check onvif.address', e);
    }
    const path = new URL(u.href).pathname;
    const client = new OnvifClient(target, u, pinned, o.timeoutMs ?? 5000, 0, { device: path, media: path, ptz: path });
    await client.syncClock();
    await client.readServices();
    await client.pickProfile();
    return client;
  }

  async presets(): Promise<OnvifPreset[]> {
    const res = await this.call(this.services.ptz, `<tptz:GetPresets><tptz:ProfileToken>${escapeXml(this.profileToken)}</tptz:ProfileToken></tptz:GetPresets>`, 'GetPresetsResponse', NS.tptz);
    const presets = childrenOf(res, NS.tptz, 'Preset');
    if (presets.length > ONVIF_MAX_PRESETS) throw new OnvifError(`the camera lists ${presets.length} presets, over ${ONVIF_MAX_PRESETS}`, 'check the camera: domes offer at most a few hundred presets');
    return presets.map((p) => {
      const token = p.attrs.token ?? '';
      if (!TOKEN.test(token)) throw new OnvifError('the camera sent a preset without a valid token', 'check the camera firmware: preset tokens are 1–64 printable characters');
      const position = childOf(p, NS.tt, 'PTZPosition');
      return { token, name: (childOf(p, NS.tt, 'Name')?.text ?? token).slice(0, 64), ...(position ? { position: readVector(position) } : {}) };
    });
  }

  async gotoPreset(token: string): Promise<void> {
    if (!TOKEN.test(token)) throw new OnvifError(`preset token "${token.slice(0, 64)}" is not valid`, 'use a token from GET /cameras/{id}/presets');
    await this.call(
      this.services.ptz,
      `<tptz:GotoPreset><tptz:ProfileToken>${escapeXml(this.profileToken)}</tptz:ProfileToken><tptz:PresetToken>${escapeXml(token)}</tptz:PresetToken></tptz:GotoPreset>`,
      'GotoPresetResponse',
      NS.tptz,
    );
  }

  async status(): Promise<PtzStatus> {
    const res = await this.call(this.services.ptz, `<tptz:GetStatus><tptz:ProfileToken>${escapeXml(this.profileToken)}</tptz:ProfileToken></tptz:GetStatus>`, 'GetStatusResponse', NS.tptz);
    const status = childOf(res, NS.tptz, 'PTZStatus');
    if (!status) throw new OnvifError('the camera sent GetStatusResponse without a PTZStatus', 'check that the profile has a PTZ configuration');
    const position = childOf(status, NS.tt, 'Position');
    const move = childOf(status, NS.tt, 'MoveStatus');
    const moving = ['PanTilt', 'Zoom'].some((a) => childOf(move, NS.tt, a)?.text === 'MOVING');
    return { moving, ...(position ? { position: readVector(position) } : {}) };
  }

  private async syncClock(): Promise<void> {
    const res = await this.call(this.services.device, '<tds:GetSystemDateAndTime/>', 'GetSystemDateAndTimeResponse', NS.tds, false);
    const utc = childOf(childOf(res, NS.tds, 'SystemDateAndTime'), NS.tt, 'UTCDateTime');
    const part = (el: string, name: string, max: number) => {
      const v = Number(childOf(childOf(utc, NS.tt, el), NS.tt, name)?.text);
      if (!Number.isInteger(v) || v < 0 || v > max) throw new OnvifError(`the camera's clock has no valid ${name}`, 'set the camera clock (NTP) and check its firmware');
      return v;
    };
    const camera = Date.UTC(part('Date', 'Year', 9999), part('Date', 'Month', 12) - 1, part('Date', 'Day', 31), part('Time', 'Hour', 23), part('Time', 'Minute', 59), part('Time', 'Second', 60));
    this.clockOffsetMs = camera - Date.now();
  }

  private async readServices(): Promise<void> {
    const res = await this.call(this.services.device, '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>', 'GetCapabilitiesResponse', NS.tds, false);
    const caps = childOf(res, NS.tds, 'Capabilities');
    const path = (name: string) => {
      const xaddr = childOf(childOf(caps, NS.tt, name), NS.tt, 'XAddr')?.text;
      if (!xaddr) return undefined;
      try {
        const p = new URL(xaddr).pathname;
        return p.length <= 256 ? p : undefined;
      } catch {
        return undefined;
      }
    };
    const [media, ptz] = [path('Media'), path('PTZ')];
    if (!media || !ptz) throw new OnvifError('the camera reports no media or PTZ service', 'this camera cannot be moved by ONVIF: check it is a PTZ model with ONVIF enabled');
    this.services = { device: this.services.device, media, ptz };
  }

  private async pickProfile(): Promise<void> {
    const res = await this.call(this.services.media, '<trt:GetProfiles/>', 'GetProfilesResponse', NS.trt);
    const profiles = childrenOf(res, NS.trt, 'Profiles');
    const wanted = this.target.profile;
    const profile = wanted ? profiles.find((p) => p.attrs.token === wanted) : profiles.find((p) => childOf(p, NS.tt, 'PTZConfiguration'));
    if (!profile || !TOKEN.test(profile.attrs.token ?? '')) {
      throw new OnvifError(wanted ? `the camera has no media profile "${wanted}"` : 'the camera has no media profile with a PTZ configuration', 'set onvif.profile to a profile token of this camera, or enable PTZ on one of its profiles');
    }
    this.profileToken = profile.attrs.token!;
  }

  /** One SOAP call; `sign` false only for the pre-authentication operations. Returns the response element. */
  private async call(path: string, body: string, response: string, ns: string, sign = true): Promise<XmlElement> {
    const header = sign ? usernameToken(this.target.user, this.target.password, new Date(Date.now() + this.clockOffsetMs)) : '';
    const text = await this.post(path, envelope(body, header));
    let root: XmlElement;
    try {
      root = parseXml(text.body, ONVIF_MAX_REPLY_BYTES);
    } catch (e) {
      throw new OnvifError(`the camera's reply to ${response.replace(/Response$/, '')} is not valid XML (HTTP ${text.status}): ${(e as Error).message}`, 'check onvif.address points at the ONVIF device service', e);
    }
    const op = bodyOf(root);
    if (op?.ns === NS.env && op.name === 'Fault') {
      const fault = describeFault(op);
      const auth = /NotAuthorized/i.test(fault) || text.status === 401;
      throw new OnvifError(`the camera refused ${response.replace(/Response$/, '')}: ${fault}`, auth ? 'check onvif.user and onvif.password, and that the camera clock is set' : 'check the preset and profile exist on the camera');
    }
    if (text.status !== 200 || op?.ns !== ns || op.name !== response) {
      throw new OnvifError(`the camera answered ${response.replace(/Response$/, '')} with HTTP ${text.status} and no ${response}`, 'check onvif.address points at the ONVIF device service');
    }
    return op;
  }

  private post(path: string, payload: string): Promise<{ status: number; body: string }> {
    const url = `http://${this.base.host.includes(':') ? `[${this.base.host}]` : this.base.host}:${this.base.port}${path}`;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: false,
          lookup: pinnedLookup(this.pinned),
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: { 'content-type': 'application/soap+xml; charset=utf-8', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > ONVIF_MAX_REPLY_BYTES) res.destroy(new OnvifError(`the camera's reply is over ${ONVIF_MAX_REPLY_BYTES} bytes`, 'check onvif.address points at the ONVIF device service'));
            else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (e) =>
        reject(
          e instanceof OnvifError
            ? e
            : new OnvifError(
                e.name === 'TimeoutError' || e.name === 'AbortError' ? `the camera did not answer within ${this.timeoutMs} ms` : `the camera is unreachable (${(e as NodeJS.ErrnoException).code ?? e.message})`,
                'check onvif.address and that the camera is powered and reachable from weisu',
                e,
              ),
        ),
      );
      req.end(payload);
    });
  }
}

function readVector(el: XmlElement): PtzVector | undefined {
  const pt = childOf(el, NS.tt, 'PanTilt');
  const zoom = childOf(el, NS.tt, 'Zoom');
  const v = { pan: Number(pt?.attrs.x), tilt: Number(pt?.attrs.y), zoom: Number(zoom?.attrs.x ?? 0) };
  return [v.pan, v.tilt, v.zoom].every((n) => Number.isFinite(n) && Math.abs(n) <= 1e6) ? v : undefined;
}
