import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ID_PATTERN } from '../api/ids.js';
import { ApiError, del, put } from '../api/client.js';
import type { Camera, Zone, ZoneKind } from '../api/types.js';
import { t, tv } from '../i18n/index.js';
import { ErrorBox, Field, toast, useFocusInvalid } from '../components/ui.js';
import { clamp01, polygonProblem, round, type Pt } from './geometry.js';
import { ScheduleEditor } from './ScheduleEditor.js';
import { ZoneCanvas } from './ZoneCanvas.js';

interface Props {
  camera: Camera;
  editable: boolean;
  onChanged: () => void;
}

const NEW = '\u0000new';
/** The fields the form shows an error beside; the error box lists only what none of them shows. */
const ZONE_FIELDS = ['id', 'name', 'kind', 'dwell', 'schedule', 'persist', 'polygon'];

function blank(camera: Camera): Zone {
  let n = camera.zones.length + 1;
  while (camera.zones.some((z) => z.id === `zone-${n}`)) n++;
  return { id: `zone-${n}`, kind: 'no_parking', polygon: [], dwell: '5m' };
}

/** Turns a zone into the other kind, keeping id, name and polygon (the other kind's tuning does not apply). */
function withKind(z: Zone, kind: ZoneKind): Zone {
  if (z.kind === kind) return z;
  const common = { id: z.id, polygon: z.polygon, ...(z.name ? { name: z.name } : {}) };
  return kind === 'bin_site' ? { ...common, kind, persist: '20m' } : { ...common, kind, dwell: '5m' };
}

/** The body PUT sends: the whole zone (tuning fields the editor does not show are kept), without an empty schedule or name. */
function body(z: Zone): Zone {
  const out = { ...z };
  if (out.kind === 'no_parking' && !out.schedule?.windows.length) delete out.schedule;
  if (!out.name) delete out.name;
  return out;
}

export function ZoneEditor({ camera, editable: canEdit, onChanged }: Props) {
  const [selected, setSelected] = useState<string | null>(camera.zones[0]?.id ?? null);
  const [draft, setDraft] = useState<Zone | null>(null);
  const [drawing, setDrawing] = useState(false);
  const [point, setPointState] = useState<number | null>(null);
  // The key handler reads the selected point from here: a key pressed right after a click, before the
  // next render, must act on the point just clicked, not on the one of the last render.
  const pointRef = useRef<number | null>(null);
  const setPoint = (i: number | null) => {
    pointRef.current = i;
    setPointState(i);
  };
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [refresh, setRefresh] = useState(0);
  // The zone last saved, said beside the form until it is edited again (a toast alone is easy to miss).
  const [savedId, setSavedId] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(error, formRef);

  const saved = camera.zones.find((z) => z.id === selected);
  const fromConfig = !!saved && camera.zones_managed_by?.[saved.id] === 'config';
  const editable = canEdit && !fromConfig;
  // The draft starts as a copy of the selected zone and is thrown away when another is picked.
  useEffect(() => {
    if (selected === NEW) return;
    setDraft(saved ? (JSON.parse(JSON.stringify(saved)) as Zone) : null);
    setDrawing(false);
    setPoint(null);
    setError(undefined);
  }, [selected, camera]);

  const dirty = useMemo(() => selected === NEW || (!!draft && !!saved && JSON.stringify(body(draft)) !== JSON.stringify(body(saved))), [draft, saved, selected]);
  const problem = draft ? polygonProblem(draft.polygon as Pt[]) : null;

  useEffect(() => {
    if (!editable) return;
    const on = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || !draft) return;
      if ((e.key === 'Delete' || e.key === 'Backspace') && (pointRef.current !== null || drawing)) {
        e.preventDefault();
        const chosen = pointRef.current;
        setDraft((d) => d && { ...d, polygon: d.polygon.filter((_, j) => j !== (chosen ?? d.polygon.length - 1)) });
        setPoint(null);
      } else if (pointRef.current !== null && e.key.startsWith('Arrow')) {
        const selectedPoint = pointRef.current;
        // Fine placement: a thousandth of the frame per press (a pixel on a 1080p camera), ten with Shift.
        e.preventDefault();
        const step = e.shiftKey ? 0.01 : 0.001;
        const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        const [dx, dy] = moves[e.key] ?? [0, 0];
        // Functional update: presses faster than a render must each count (the listener's `draft` may be stale).
        setDraft((d) => d && { ...d, polygon: d.polygon.map((p, j) => (j === selectedPoint ? round([clamp01(p[0] + dx), clamp01(p[1] + dy)]) : p)) });
      } else if (e.key === 'Enter' && drawing && draft.polygon.length >= 3) setDrawing(false);
      else if (e.key === 'Escape') drawing ? setDrawing(draft.polygon.length < 3) : setPoint(null);
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [editable, draft, drawing]);

  function startNew() {
    setSavedId(null);
    setSelected(NEW);
    setDraft(blank(camera));
    setDrawing(true);
    setPoint(null);
    setError(undefined);
  }

  async function save() {
    if (!draft) return;
    setBusy(true);
    setError(undefined);
    try {
      await put(`cameras/${encodeURIComponent(camera.id)}/zones/${encodeURIComponent(draft.id)}`, body(draft));
      toast(t('zones.saved', { id: draft.id }));
      setSavedId(draft.id);
      setSelected(draft.id);
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!saved || !confirm(t('zones.confirmDelete', { id: saved.id }))) return;
    setBusy(true);
    try {
      await del(`cameras/${encodeURIComponent(camera.id)}/zones/${encodeURIComponent(saved.id)}`);
      toast(t('zones.deleted', { id: saved.id }));
      setSelected(null);
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const setField = (patch: Partial<Zone>) => draft && setDraft({ ...draft, ...patch } as Zone);
  /** Another zone, unless the operator would rather keep unsaved changes. */
  const pick = (id: string) => {
    if (id === selected || !dirty || confirm(t('zones.discard'))) {
      if (id !== selected) setSavedId(null);
      setSelected(id);
    }
  };

  return (
    <div class="zone-editor">
      <div class="zone-stage">
        <ZoneCanvas
          snapshot={`cameras/${encodeURIComponent(camera.id)}/snapshot`}
          refresh={refresh}
          others={camera.zones.filter((z) => z.id !== (selected === NEW ? '' : selected))}
          draft={(draft?.polygon as Pt[] | undefined) ?? null}
          draftKind={draft?.kind}
          drawing={drawing}
          selectedPoint={point}
          editable={editable && !!draft}
          onPick={pick}
          onChange={(polygon) => setField({ polygon })}
          onSelectPoint={setPoint}
          onCloseShape={() => setDrawing(false)}
        />
        <div class="legend">
          <span>
            <i class="swatch kind-no_parking" /> {tv('kind', 'no_parking')}
          </span>
          <span>
            <i class="swatch kind-bin_site" /> {tv('kind', 'bin_site')}
          </span>
          {editable && <span class="muted">{t('zones.help')}</span>}
          <button type="button" class="btn small ghost push-right" onClick={() => setRefresh((n) => n + 1)}>
            ↻ {t('zones.refresh')}
          </button>
        </div>
      </div>

      <aside class="zone-panel">
        <div class="zone-list">
          <div class="panel-title">
            {t('zones.title')} <span class="muted">({camera.zones.length})</span>
            {canEdit && (
              <button type="button" class="btn small primary" onClick={startNew} data-action="new-zone">
                + {t('zones.new')}
              </button>
            )}
          </div>
          {camera.zones.length === 0 && selected !== NEW && <div class="muted small">{t('zones.none')}</div>}
          {camera.zones.map((z) => (
            <button type="button" key={z.id} class={`zone-item ${z.id === selected ? 'active' : ''}`} onClick={() => pick(z.id)} data-zone={z.id}>
              <i class={`swatch kind-${z.kind}`} />
              <span class="zone-id">{z.id}</span>
              <span class="muted small">
                {z.name ? `${z.name} · ` : ''}
                {tv('kind', z.kind)} · {z.kind === 'no_parking' ? z.dwell : String(z.persist)}
              </span>
            </button>
          ))}
        </div>

        {draft && (
          <form
            ref={formRef}
            class="zone-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <div class="panel-title">{selected === NEW ? t('zones.newTitle') : t('zones.editTitle', { id: draft.id })}</div>
            {selected === NEW && (
              <Field label={t('zones.id')} name="id" error={error}>
                <input name="zone-id" value={draft.id} pattern={ID_PATTERN} required onInput={(e) => setField({ id: e.currentTarget.value })} />
              </Field>
            )}
            <Field label={t('zones.name')} name="name" error={error}>
              <input name="zone-name" value={draft.name ?? ''} maxLength={200} disabled={!editable} onInput={(e) => setField({ name: e.currentTarget.value })} />
            </Field>
            <Field label={t('zones.kind')} name="kind" error={error}>
              <select name="kind" value={draft.kind} disabled={!editable} onChange={(e) => setDraft(withKind(draft, e.currentTarget.value as ZoneKind))}>
                <option value="no_parking">{tv('kind', 'no_parking')}</option>
                <option value="bin_site">{tv('kind', 'bin_site')}</option>
              </select>
            </Field>
            {draft.kind === 'no_parking' ? (
              <>
                <Field label={t('zones.dwell')} name="dwell" error={error} hint={t('zones.dwellHint')}>
                  <input name="dwell" value={draft.dwell} disabled={!editable} required onInput={(e) => setField({ dwell: e.currentTarget.value })} />
                </Field>
                <Field label={t('zones.schedule')} name="schedule" error={error}>
                  <ScheduleEditor value={draft.schedule} disabled={!editable} onChange={(schedule) => setField({ schedule })} />
                </Field>
              </>
            ) : (
              <Field label={t('zones.persist')} name="persist" error={error} hint={t('zones.persistHint')}>
                <input name="persist" value={String(draft.persist)} disabled={!editable} required onInput={(e) => setField({ persist: /^\d+$/.test(e.currentTarget.value) ? Number(e.currentTarget.value) : e.currentTarget.value })} />
              </Field>
            )}
            <Field label={t('zones.points', { n: draft.polygon.length })} name="polygon" error={error}>
              <div class="points">
                {draft.polygon.map((pt, i) => (
                  <span key={i} class={`pt ${i === point ? 'selected' : ''}`} onClick={() => setPoint(i)}>
                    {i + 1}: {pt[0].toFixed(3)}, {pt[1].toFixed(3)}
                  </span>
                ))}
              </div>
            </Field>
            {fromConfig && <div class="note">{t('zones.fromConfig')}</div>}
            {problem && !drawing && <div class="warn">{t(`zones.problem.${problem}`)}</div>}
            <ErrorBox error={error} placed={ZONE_FIELDS} />
            {editable && (
              <div class="form-actions">
                {drawing ? (
                  <button type="button" class="btn" disabled={draft.polygon.length < 3} onClick={() => setDrawing(false)} data-action="finish-shape">
                    {t('zones.finish')}
                  </button>
                ) : (
                  <button type="button" class="btn" onClick={() => (setDraft({ ...draft, polygon: [] }), setDrawing(true))}>
                    {t('zones.redraw')}
                  </button>
                )}
                {saved && selected !== NEW && (
                  <button type="button" class="btn danger" disabled={busy} onClick={remove} data-action="delete-zone">
                    {t('common.delete')}
                  </button>
                )}
                {(dirty || selected === NEW) && (
                  <button type="button" class="btn" onClick={() => setSelected(saved ? saved.id : (camera.zones[0]?.id ?? null))}>
                    {t('common.cancel')}
                  </button>
                )}
                {!dirty && savedId === draft.id && (
                  <span class="saved-status" role="status" data-testid="zone-saved">
                    ✓ {t('common.saved')}
                  </span>
                )}
                <button type="submit" class="btn primary" disabled={busy || drawing || !!problem || !dirty} data-action="save-zone">
                  {t('common.save')}
                </button>
              </div>
            )}
          </form>
        )}
      </aside>
    </div>
  );
}
