import { timingSafeEqual } from 'node:crypto';
import { childOf, escapeXml, parseXml, type XmlElement } from '../../onvif/xml.js';
import { BASE64_ENCODING, bodyOf, envelope, faultEnvelope, NS, PASSWORD_DIGEST_TYPE, passwordDigest } from '../../onvif/soap.js';
import type { PtzPosition } from './virtual_ptz_motion.js';

/**
 * The SOAP side of the virtual PTZ camera: ONVIF device, media and PTZ services (element names and
 * namespaces as in ver10/device/wsdl/devicemgmt.wsdl, ver10/media/wsdl/media.wsdl, ver20/ptz/wsdl/ptz.wsdl
 * and ver10/schema/onvif.xsd), with WS-Security UsernameToken PasswordDigest checked strictly: digest type,
 * Base64 nonce of 16+ bytes never seen before, Created within a minute of the camera's clock, digest equal
 * in constant time. Only GetSystemDateAndTime, GetCapabilities and GetServices may come without a token
 * (ONVIF's PRE_AUTH class, so a client can read the clock first); a token that is present is always checked.
 */
export interface PtzPreset {
  token: string;
  name: string;
  position: PtzPosition;
}

/** What the service drives: the camera's head, its clock and its stream. */
export interface PtzDevice {
  user: string;
  password: string;
  presets: PtzPreset[];
  /** The camera's clock (ms), which may be off the client's. */
  now(): number;
  rtspUrl: string;
  position(): PtzPosition;
  moving(): boolean;
  moveTo(p: PtzPosition, speed: number): void;
  moveAt(v: PtzPosition, forMs: number): void;
  stop(): void;
  /** Every operation called, in order, with whether it was authorised (tests read which ones weisu used). */
  calls: { op: string; ok: boolean }[];
}

export const PROFILE_TOKEN = 'main';
const MAX_REQUEST_BYTES = 64 * 1024;
const CREATED_WINDOW_MS = 60_000;
const PRE_AUTH = new Set(['GetSystemDateAndTime', 'GetCapabilities', 'GetServices']);
const SEEN_NONCES_MAX = 10_000;

export interface SoapReply {
  status: number;
  body: string;
}

class Fault extends Error {
  constructor(
    readonly code: 'env:Sender' | 'env:Receiver',
    readonly subcode: string,
    reason: string,
    readonly status = 400,
  ) {
    super(reason);
  }
}

export class OnvifService {
  private readonly nonces = new Set<string>();

  constructor(
    private readonly device: PtzDevice,
    private readonly base: string,
  ) {}

  handle(path: string, text: string): SoapReply {
    let op = '(unparsed)';
    try {
      if (text.length > MAX_REQUEST_BYTES) throw new Fault('env:Sender', 'ter:InvalidArgVal', 'request too large');
      const root = parseXml(text, MAX_REQUEST_BYTES);
      const body = bodyOf(root);
      if (!body) throw new Fault('env:Sender', 'ter:WellFormed', 'not a SOAP 1.2 envelope with one operation');
      op = body.name;
      const authed = this.checkSecurity(childOf(root, NS.env, 'Header'));
      if (!authed && !PRE_AUTH.has(op)) throw new Fault('env:Sender', 'ter:NotAuthorized', 'Sender not Authorized');
      const reply = this.dispatch(path, body);
      this.device.calls.push({ op, ok: true });
      return { status: 200, body: envelope(reply) };
    } catch (e) {
      this.device.calls.push({ op, ok: false });
      const f = e instanceof Fault ? e : new Fault('env:Sender', 'ter:WellFormed', (e as Error).message);
      return { status: f.status, body: faultEnvelope(f.code, f.subcode, f.message) };
    }
  }

  /** True when a valid UsernameToken is present, false when none is; a bad one is a fault. */
  private checkSecurity(header: XmlElement | undefined): boolean {
    const security = childOf(header, NS.wsse, 'Security');
    if (!security) return false;
    const bad = (why: string) => new Fault('env:Sender', 'ter:NotAuthorized', `Sender not Authorized: ${why}`);
    const token = childOf(security, NS.wsse, 'UsernameToken');
    const user = childOf(token, NS.wsse, 'Username')?.text;
    const password = childOf(token, NS.wsse, 'Password');
    const nonceEl = childOf(token, NS.wsse, 'Nonce');
    const created = childOf(token, NS.wsu, 'Created')?.text;
    if (!user || !password || !nonceEl || !created) throw bad('UsernameToken needs Username, Password, Nonce and Created');
    if (password.attrs.Type !== PASSWORD_DIGEST_TYPE) throw bad('only PasswordDigest is accepted');
    if (nonceEl.attrs.EncodingType !== undefined && nonceEl.attrs.EncodingType !== BASE64_ENCODING) throw bad('nonce must be Base64Binary');
    if (!/^[A-Za-z0-9+/]{20,88}={0,2}$/.test(nonceEl.text)) throw bad('nonce is not Base64 of 16 to 64 bytes');
    const nonce = Buffer.from(nonceEl.text, 'base64');
    if (nonce.length < 16) throw bad('nonce shorter than 16 bytes');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/.test(created)) throw bad('Created is not a UTC xs:dateTime');
    const skew = Math.abs(Date.parse(created) - this.device.now());
    if (!(skew <= CREATED_WINDOW_MS)) throw bad(`Created is ${Math.round(skew / 1000)} s off the camera's clock`);
    if (this.nonces.has(nonceEl.text)) throw bad('nonce replayed');
    const want = Buffer.from(passwordDigest(nonce, created, this.device.password));
    const got = Buffer.from(password.text);
    if (user !== this.device.user || got.length !== want.length || !timingSafeEqual(got, want)) throw bad('wrong user or digest');
    if (this.nonces.size >= SEEN_NONCES_MAX) this.nonces.clear();
    this.nonces.add(nonceEl.text);
    return true;
  }

  private dispatch(path: string, op: XmlElement): string {
    const service = { '/onvif/device_service': NS.tds, '/onvif/media_service': NS.trt, '/onvif/ptz_service': NS.tptz }[path];
    if (!service || op.ns !== service) throw new Fault('env:Receiver', 'ter:ActionNotSupported', `${op.name} is not an operation of ${path}`);
    const handler = this.ops[`${op.ns === NS.tds ? 'tds' : op.ns === NS.trt ? 'trt' : 'tptz'}:${op.name}`];
    if (!handler) throw new Fault('env:Receiver', 'ter:ActionNotSupported', `${op.name} is not supported`);
    return handler(op);
  }

  private profile(op: XmlElement, ns: string): void {
    const token = childOf(op, ns, 'ProfileToken')?.text;
    if (token !== PROFILE_TOKEN) throw new Fault('env:Sender', 'ter:InvalidArgVal', `no profile "${token ?? ''}"`);
  }

  private readonly ops: Record<string, (op: XmlElement) => string> = {
    'tds:GetSystemDateAndTime': () => {
      const d = new Date(this.device.now());
      return (
        `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
        `<tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
        `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
        `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
      );
    },
    'tds:GetCapabilities': () =>
      `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${this.base}/onvif/device_service</tt:XAddr></tt:Device>` +
      `<tt:Media><tt:XAddr>${this.base}/onvif/media_service</tt:XAddr></tt:Media><tt:PTZ><tt:XAddr>${this.base}/onvif/ptz_service</tt:XAddr></tt:PTZ>` +
      `</tds:Capabilities></tds:GetCapabilitiesResponse>`,
    'tds:GetServices': () =>
      `<tds:GetServicesResponse>${(
        [
          [NS.tds, 'device_service', 2],
          [NS.trt, 'media_service', 2],
          [NS.tptz, 'ptz_service', 2],
        ] as const
      )
        .map(([ns, p, major]) => `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${this.base}/onvif/${p}</tds:XAddr><tds:Version><tt:Major>${major}</tt:Major><tt:Minor>40</tt:Minor></tds:Version></tds:Service>`)
        .join('')}</tds:GetServicesResponse>`,
    'tds:GetDeviceInformation': () =>
      '<tds:GetDeviceInformationResponse><tds:Manufacturer>weisu tests</tds:Manufacturer><tds:Model>Virtual PTZ</tds:Model>' +
      '<tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>VPTZ-0001</tds:SerialNumber><tds:HardwareId>vptz</tds:HardwareId></tds:GetDeviceInformationResponse>',
    'trt:GetProfiles': () =>
      `<trt:GetProfilesResponse><trt:Profiles token="${PROFILE_TOKEN}" fixed="true"><tt:Name>main</tt:Name>` +
      '<tt:PTZConfiguration token="ptz0"><tt:Name>ptz0</tt:Name><tt:UseCount>1</tt:UseCount><tt:NodeToken>node0</tt:NodeToken></tt:PTZConfiguration>' +
      '</trt:Profiles></trt:GetProfilesResponse>',
    'trt:GetStreamUri': (op) => {
      this.profile(op, NS.trt);
      return `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${escapeXml(this.device.rtspUrl)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`;
    },
    'tptz:GetPresets': (op) => {
      this.profile(op, NS.tptz);
      return `<tptz:GetPresetsResponse>${this.device.presets.map((p) => `<tptz:Preset token="${escapeXml(p.token)}"><tt:Name>${escapeXml(p.name)}</tt:Name>${vector('tt:PTZPosition', p.position)}</tptz:Preset>`).join('')}</tptz:GetPresetsResponse>`;
    },
    'tptz:GotoPreset': (op) => {
      this.profile(op, NS.tptz);
      const token = childOf(op, NS.tptz, 'PresetToken')?.text;
      const preset = this.device.presets.find((p) => p.token === token);
      if (!preset) throw new Fault('env:Sender', 'ter:InvalidArgVal', `no preset "${token ?? ''}"`);
      this.device.moveTo(preset.position, speedOf(childOf(op, NS.tptz, 'Speed')));
      return '<tptz:GotoPresetResponse/>';
    },
    'tptz:AbsoluteMove': (op) => {
      this.profile(op, NS.tptz);
      const at = readVector(childOf(op, NS.tptz, 'Position'), this.device.position());
      this.device.moveTo(at, speedOf(childOf(op, NS.tptz, 'Speed')));
      return '<tptz:AbsoluteMoveResponse/>';
    },
    'tptz:ContinuousMove': (op) => {
      this.profile(op, NS.tptz);
      const v = readVector(childOf(op, NS.tptz, 'Velocity'), { pan: 0, tilt: 0, zoom: 0 });
      const timeout = childOf(op, NS.tptz, 'Timeout')?.text;
      const m = timeout === undefined ? undefined : /^PT(\d{1,4}(?:\.\d{1,3})?)S$/.exec(timeout);
      if (timeout !== undefined && !m) throw new Fault('env:Sender', 'ter:InvalidArgVal', `Timeout "${timeout}" is not a duration PTnS`);
      this.device.moveAt(v, m ? Number(m[1]) * 1000 : 60_000);
      return '<tptz:ContinuousMoveResponse/>';
    },
    'tptz:Stop': (op) => {
      this.profile(op, NS.tptz);
      this.device.stop();
      return '<tptz:StopResponse/>';
    },
    'tptz:GetStatus': (op) => {
      this.profile(op, NS.tptz);
      const state = this.device.moving() ? 'MOVING' : 'IDLE';
      return (
        `<tptz:GetStatusResponse><tptz:PTZStatus>${vector('tt:Position', this.device.position())}` +
        `<tt:MoveStatus><tt:PanTilt>${state}</tt:PanTilt><tt:Zoom>${state}</tt:Zoom></tt:MoveStatus>` +
        `<tt:UtcTime>${new Date(this.device.now()).toISOString()}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>`
      );
    },
  };
}

function vector(tag: string, p: PtzPosition): string {
  return `<${tag}><tt:PanTilt x="${p.pan}" y="${p.tilt}"/><tt:Zoom x="${p.zoom}"/></${tag}>`;
}

function num(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) || !Number.isFinite(n)) throw new Fault('env:Sender', 'ter:InvalidArgVal', `${what} "${v}" is not a number`);
  return n;
}

/** A PTZVector or PTZSpeed: axes left out keep `base`'s value. */
function readVector(el: XmlElement | undefined, base: PtzPosition): PtzPosition {
  if (!el) throw new Fault('env:Sender', 'ter:InvalidArgVal', 'missing position or velocity');
  const pt = childOf(el, NS.tt, 'PanTilt');
  const zoom = childOf(el, NS.tt, 'Zoom');
  return { pan: num(pt?.attrs.x, 'PanTilt x') ?? base.pan, tilt: num(pt?.attrs.y, 'PanTilt y') ?? base.tilt, zoom: num(zoom?.attrs.x, 'Zoom x') ?? base.zoom };
}

function speedOf(el: XmlElement | undefined): number {
  if (!el) return 1;
  const s = readVector(el, { pan: 1, tilt: 1, zoom: 1 });
  return Math.max(Math.abs(s.pan), Math.abs(s.tilt));
}
