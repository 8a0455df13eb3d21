import { useRef, useState } from 'preact/hooks';
import { ID_PATTERN } from '../api/ids.js';
import { ApiError, patch, post } from '../api/client.js';
import type { Camera } from '../api/types.js';
import { t } from '../i18n/index.js';
import { ErrorBox, Field, useFocusInvalid } from './ui.js';
import { ProbeResult, type Probe } from './ProbeResult.js';

/** The fields the form shows an error beside; the error box lists only what none of them shows. */
const CAMERA_FIELDS = ['id', 'name', 'url', 'username', 'password', 'location', 'sample_every', 'timezone'];

interface Props {
  /** Absent: register a new camera. */
  camera?: Camera;
  onSaved: (c: Camera) => void;
  onCancel: () => void;
}

/**
 * Register or edit a camera. The stream URL is write-only: the API returns it redacted, so when
 * editing, an empty URL field means "keep the current one" and only a typed URL is sent.
 */
export function CameraForm({ camera, onSaved, onCancel }: Props) {
  const editing = !!camera;
  const [v, setV] = useState({
    id: camera?.id ?? '',
    name: camera?.name ?? '',
    url: '',
    username: camera?.username ?? '',
    password: '',
    lat: camera ? String(camera.location.lat) : '',
    lon: camera ? String(camera.location.lon) : '',
    address: camera?.location.address ?? '',
    sample_every: camera?.sample_every ?? '10s',
    timezone: camera?.timezone ?? 'Asia/Shanghai',
    enabled: camera?.enabled ?? true,
  });
  const [error, setError] = useState<ApiError>();
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(error, formRef);
  const [busy, setBusy] = useState(false);
  const [probe, setProbe] = useState<Probe>();
  const [probing, setProbing] = useState(false);

  /** Tries the URL before saving: the server grabs one picture and says what it found, or why it failed. */
  async function test() {
    setProbing(true);
    setProbe(undefined);
    setError(undefined);
    try {
      const body: Record<string, string> = { url: v.url.trim() };
      if (v.username.trim()) body.username = v.username.trim();
      if (v.password) body.password = v.password;
      setProbe(await post<Probe>('cameras/probe', body));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setProbing(false);
    }
  }
  const set = (k: keyof typeof v) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setV({ ...v, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const location: Camera['location'] = { lat: Number(v.lat), lon: Number(v.lon) };
    if (v.address.trim()) location.address = v.address.trim();
    const body: Record<string, unknown> = { location, sample_every: v.sample_every.trim(), timezone: v.timezone.trim(), enabled: v.enabled };
    if (v.name.trim()) body.name = v.name.trim();
    if (v.url.trim() || !editing) body.url = v.url.trim();
    if (v.username.trim()) body.username = v.username.trim();
    else if (camera?.username) body.username = null;
    // The password is write-only: sent only when typed; an empty field keeps the stored one.
    if (v.password) body.password = v.password;
    try {
      onSaved(editing ? await patch<Camera>(`cameras/${encodeURIComponent(camera.id)}`, body) : await post<Camera>('cameras', { id: v.id.trim(), ...body }));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} class="form-grid" onSubmit={submit} data-form="camera">
      <Field label={t('camera.id')} name="id" error={error} hint={t('camera.idHint')}>
        <input name="id" value={v.id} onInput={set('id')} required disabled={editing} pattern={ID_PATTERN} maxLength={64} />
      </Field>
      <Field label={t('camera.name')} name="name" error={error}>
        <input name="name" value={v.name} onInput={set('name')} maxLength={200} />
      </Field>
      <Field label={t('camera.url')} name="url" error={error} hint={editing ? t('camera.urlKeep', { url: camera.url }) : t('camera.urlHint')}>
        <div class="input-row">
          <input name="url" value={v.url} onInput={set('url')} required={!editing} autoComplete="off" spellcheck={false} placeholder="rtsp://user:password@host:554/stream" />
          <button type="button" class="btn" disabled={probing || !v.url.trim()} onClick={test} data-action="probe">
            {probing ? t('probe.running') : t('probe.test')}
          </button>
        </div>
      </Field>
      {probe && <ProbeResult probe={probe} />}
      <div class="row-2">
        <Field label={t('camera.username')} name="username" error={error}>
          <input name="username" value={v.username} onInput={set('username')} autoComplete="off" />
        </Field>
        <Field label={t('camera.password')} name="password" error={error} hint={camera?.has_password ? t('camera.passwordKeep') : undefined}>
          <input name="password" type="password" value={v.password} onInput={set('password')} autoComplete="new-password" placeholder={camera?.has_password ? '••••••' : ''} />
        </Field>
      </div>
      <div class="row-2">
        <Field label={t('camera.lat')} name="location.lat" error={error}>
          <input name="lat" type="number" step="any" min={-90} max={90} value={v.lat} onInput={set('lat')} required />
        </Field>
        <Field label={t('camera.lon')} name="location.lon" error={error}>
          <input name="lon" type="number" step="any" min={-180} max={180} value={v.lon} onInput={set('lon')} required />
        </Field>
      </div>
      <Field label={t('camera.address')} name="location.address" error={error}>
        <input name="address" value={v.address} onInput={set('address')} maxLength={500} />
      </Field>
      <div class="row-2">
        <Field label={t('camera.sampleEvery')} name="sample_every" error={error} hint={t('camera.sampleHint')}>
          <input name="sample_every" value={v.sample_every} onInput={set('sample_every')} required />
        </Field>
        <Field label={t('camera.timezone')} name="timezone" error={error}>
          <input name="timezone" value={v.timezone} onInput={set('timezone')} required />
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" name="enabled" checked={v.enabled} onChange={set('enabled')} /> {t('camera.enabled')}
      </label>
      <ErrorBox error={error} placed={CAMERA_FIELDS} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {editing ? t('common.save') : t('camera.register')}
        </button>
      </div>
    </form>
  );
}
