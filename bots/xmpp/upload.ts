/**
 * XEP-0363 HTTP File Upload: find the server's upload service (disco), ask it for a slot, PUT
 * the bytes, post the GET URL. Prosody's mod_http_file_share speaks this.
 */
import { xml, type Client, type Element } from '@xmpp/client';
import { DeliveryError, fromHttpStatus, rateLimited, rejected } from '../../src/errors.js';
import { NS } from './ns.js';

export interface UploadService {
  readonly jid: string;
  /** Largest file the service takes (0: it did not say). */
  readonly maxBytes: number;
}

function maxFileSize(info: Element): number {
  for (const form of info.getChildren('x', NS.data)) {
    const fields = form.getChildren('field');
    if (fields.find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value') !== NS.upload) continue;
    const v = Number(fields.find((f) => f.attrs.var === 'max-file-size')?.getChildText('value'));
    if (Number.isFinite(v) && v > 0) return v;
  }
  return 0;
}

/** The upload service among the server's disco items, if any. */
export async function discoverUpload(xmpp: Client, domain: string): Promise<UploadService | undefined> {
  const items = await xmpp.iqCaller.get(xml('query', { xmlns: NS.discoItems }), domain);
  const jids = [domain, ...(items?.getChildren('item') ?? []).map((i) => i.attrs.jid).filter((j): j is string => !!j)];
  for (const jid of jids) {
    const info = await xmpp.iqCaller.get(xml('query', { xmlns: NS.discoInfo }), jid).catch(() => undefined);
    if (info?.getChildren('feature').some((f) => f.attrs.var === NS.upload)) return { jid, maxBytes: maxFileSize(info) };
  }
  return undefined;
}

function iqError(err: unknown): DeliveryError {
  const condition = (err as { condition?: unknown }).condition;
  if (condition === 'not-acceptable' || condition === 'bad-request') return rejected(`upload refused: ${String(condition)}`);
  if (condition === 'resource-constraint' || condition === 'policy-violation') return rateLimited(`upload quota: ${String(condition)}`, 60_000);
  if (condition === 'forbidden' || condition === 'not-allowed') return new DeliveryError('forbidden', `upload not allowed: ${String(condition)}`);
  return new DeliveryError('unavailable', `upload slot request failed: ${String(condition ?? (err as Error).message)}`);
}

/** Upload bytes; returns the public GET URL. */
export async function upload(
  xmpp: Client,
  service: UploadService,
  file: { name: string; mime: string; data: Uint8Array },
): Promise<string> {
  const request = xml('request', {
    xmlns: NS.upload,
    filename: file.name.replace(/[/\\]/g, '_') || 'file',
    size: file.data.byteLength,
    'content-type': file.mime || 'application/octet-stream',
  });
  let slot: Element | undefined;
  try {
    const res = await xmpp.iqCaller.request(xml('iq', { type: 'get', to: service.jid }, request));
    slot = res.getChild('slot', NS.upload);
  } catch (err) {
    throw iqError(err);
  }
  const put = slot?.getChild('put');
  const get = slot?.getChild('get')?.attrs.url;
  if (!put?.attrs.url || !get) throw new DeliveryError('unavailable', 'upload service sent no slot URLs');
  const headers: Record<string, string> = { 'content-type': file.mime || 'application/octet-stream' };
  for (const h of put.getChildren('header')) {
    const name = h.attrs.name ?? '';
    if (/^(authorization|cookie|expires)$/i.test(name)) headers[name] = h.getText(); // the only headers XEP-0363 allows
  }
  let res: Response;
  try {
    res = await fetch(put.attrs.url, { method: 'PUT', headers, body: new Blob([new Uint8Array(file.data)]) });
  } catch (err) {
    throw new DeliveryError('unavailable', `upload PUT failed: ${(err as Error).message}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    throw fromHttpStatus(res.status, `upload PUT answered ${res.status}`, Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined);
  }
  return get;
}
