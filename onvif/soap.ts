import { createHash, randomBytes } from 'node:crypto';
import { childOf, escapeXml, type XmlElement } from './xml.js';

/**
 * SOAP 1.2 envelopes as ONVIF uses them (ONVIF Core: SOAP 1.2 over HTTP POST, WS-Security UsernameToken
 * with PasswordDigest). Shared by weisu's client and the test's virtual camera, so both speak the one
 * wire format this file defines; each side checks what it receives on its own.
 */
export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  ter: 'http://www.onvif.org/ver10/error',
} as const;

export const PASSWORD_DIGEST_TYPE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
export const BASE64_ENCODING = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** WS-Security UsernameToken Profile 1.0: Base64(SHA-1(nonce bytes + created + password)). */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
}

/** A fresh UsernameToken header; `now` is the camera's clock as the caller best knows it. */
export function usernameToken(user: string, password: string, now: Date): string {
  const nonce = randomBytes(16);
  const created = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" env:mustUnderstand="true"><wsse:UsernameToken>` +
    `<wsse:Username>${escapeXml(user)}</wsse:Username>` +
    `<wsse:Password Type="${PASSWORD_DIGEST_TYPE}">${passwordDigest(nonce, created, password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${BASE64_ENCODING}">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

/** A SOAP 1.2 envelope around `body` (already serialised, namespaces declared on the envelope). */
export function envelope(body: string, header = ''): string {
  const decl = Object.entries(NS).map(([p, uri]) => (p === 'wsse' || p === 'wsu' ? '' : ` xmlns:${p}="${uri}"`)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope${decl}>${header ? `<env:Header>${header}</env:Header>` : ''}<env:Body>${body}</env:Body></env:Envelope>`;
}

/** A SOAP 1.2 fault (Sender or Receiver) with an ONVIF subcode, e.g. `ter:NotAuthorized`. */
export function faultEnvelope(code: 'env:Sender' | 'env:Receiver', subcode: string, reason: string): string {
  return envelope(
    `<env:Fault><env:Code><env:Value>${code}</env:Value><env:Subcode><env:Value>${subcode}</env:Value></env:Subcode></env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${escapeXml(reason)}</env:Text></env:Reason></env:Fault>`,
  );
}

/** The Body's one operation element of a SOAP 1.2 envelope, or undefined when the message is no envelope. */
export function bodyOf(root: XmlElement): XmlElement | undefined {
  if (root.ns !== NS.env || root.name !== 'Envelope') return undefined;
  const body = childOf(root, NS.env, 'Body');
  return body?.children.length === 1 ? body.children[0] : undefined;
}

/** Subcode and reason of a SOAP fault body, for errors that say what the camera refused. */
export function describeFault(fault: XmlElement): string {
  const code = childOf(fault, NS.env, 'Code');
  const sub = childOf(childOf(code, NS.env, 'Subcode'), NS.env, 'Value')?.text;
  const reason = childOf(childOf(fault, NS.env, 'Reason'), NS.env, 'Text')?.text;
  return `${sub ?? childOf(code, NS.env, 'Value')?.text ?? 'fault'}${reason ? `: ${reason.slice(0, 200)}` : ''}`;
}
