import { useEffect, useRef, useState } from 'preact/hooks';
import type { Zone } from '../api/types.js';
import { AuthImage } from '../components/AuthImage.js';
import { t } from '../i18n/index.js';
import { centroid, clamp01, round, type Pt } from './geometry.js';

interface Props {
  snapshot: string;
  /** Changes when the operator asks for the latest picture again. */
  refresh?: number;
  /** Saved zones other than the one being edited, drawn dimmed and clickable. */
  others: Zone[];
  /** The polygon being edited, if any. */
  draft: Pt[] | null;
  draftKind?: Zone['kind'];
  drawing: boolean;
  selectedPoint: number | null;
  editable: boolean;
  onPick: (zoneId: string) => void;
  onChange: (poly: Pt[]) => void;
  onSelectPoint: (i: number | null) => void;
  onCloseShape: () => void;
}

/**
 * The latest snapshot with zones drawn over it. An SVG sized to the picture in screen pixels, so
 * handles keep their size at any zoom; points are stored as fractions of the frame.
 * Drawing: click to add points, click the first point (or press Enter) to close.
 * Editing: drag a point to move it, drag an edge's middle handle to add one, right-click or
 * double-click a point (or select it and press Delete) to remove it.
 */
export function ZoneCanvas(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [aspect, setAspect] = useState(16 / 9);
  const drag = useRef<number | null>(null);
  const [hover, setHover] = useState<Pt | null>(null);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const toFrac = (e: PointerEvent | MouseEvent): Pt => {
    const r = wrap.current!.getBoundingClientRect();
    return round([clamp01((e.clientX - r.left) / r.width), clamp01((e.clientY - r.top) / r.height)]);
  };
  const px = (pt: Pt) => `${pt[0] * size.w},${pt[1] * size.h}`;
  const draft = p.draft ?? [];

  function onBackgroundDown(e: PointerEvent) {
    if (!p.editable || e.button !== 0) return;
    if (p.drawing) {
      p.onChange([...draft, toFrac(e)]);
      p.onSelectPoint(draft.length);
    } else p.onSelectPoint(null);
  }

  function startDrag(e: PointerEvent, i: number) {
    e.stopPropagation();
    if (!p.editable || e.button !== 0) return;
    if (p.drawing && i === 0 && draft.length >= 3) return p.onCloseShape();
    p.onSelectPoint(i);
    drag.current = i;
    (e.currentTarget as Element).closest('svg')!.setPointerCapture(e.pointerId);
  }

  function onMove(e: PointerEvent) {
    const pt = toFrac(e);
    setHover(pt);
    const i = drag.current;
    if (i === null) return;
    const next = draft.slice();
    next[i] = pt;
    p.onChange(next);
  }

  function insertAt(e: PointerEvent, i: number) {
    e.stopPropagation();
    if (!p.editable || e.button !== 0) return;
    const next = draft.slice();
    next.splice(i + 1, 0, toFrac(e));
    p.onChange(next);
    p.onSelectPoint(i + 1);
    drag.current = i + 1;
    (e.currentTarget as Element).closest('svg')!.setPointerCapture(e.pointerId);
  }

  function remove(e: Event, i: number) {
    e.preventDefault();
    e.stopPropagation();
    if (!p.editable) return;
    p.onChange(draft.filter((_, j) => j !== i));
    p.onSelectPoint(null);
  }

  const closed = !p.drawing && draft.length >= 3;
  return (
    <div class={`zone-canvas ${p.drawing ? 'drawing' : ''}`} ref={wrap} style={{ aspectRatio: String(aspect) }}>
      <AuthImage key={p.refresh} src={p.snapshot} alt={t('zones.snapshot')} class="zone-img" onLoad={(img) => img.naturalWidth && setAspect(img.naturalWidth / img.naturalHeight)} />
      <svg
        class="zone-svg"
        width={size.w}
        height={size.h}
        viewBox={`0 0 ${size.w} ${size.h}`}
        onPointerDown={onBackgroundDown}
        onPointerMove={onMove}
        onPointerUp={() => (drag.current = null)}
        onPointerLeave={() => setHover(null)}
        onContextMenu={(e) => e.preventDefault()}
        data-testid="zone-svg"
      >
        {p.others.map((z) => {
          const c = centroid(z.polygon);
          return (
            <g
              key={z.id}
              class={`zone-shape other kind-${z.kind}`}
              onPointerDown={(e) => {
                if (p.drawing) return;
                e.stopPropagation();
                p.onPick(z.id);
              }}
            >
              <polygon points={z.polygon.map(px).join(' ')} />
              <text x={c[0] * size.w} y={c[1] * size.h}>
                {z.id}
              </text>
            </g>
          );
        })}
        {draft.length > 0 && (
          <g class={`zone-shape active kind-${p.draftKind ?? 'no_parking'}`}>
            {closed ? <polygon points={draft.map(px).join(' ')} /> : <polyline points={draft.map(px).join(' ')} />}
            {p.drawing && hover && draft.length > 0 && <line class="rubber" x1={draft.at(-1)![0] * size.w} y1={draft.at(-1)![1] * size.h} x2={hover[0] * size.w} y2={hover[1] * size.h} />}
            {closed &&
              p.editable &&
              draft.map((a, i) => {
                const b = draft[(i + 1) % draft.length]!;
                return <circle key={`m${i}`} class="mid" cx={((a[0] + b[0]) / 2) * size.w} cy={((a[1] + b[1]) / 2) * size.h} r={5} onPointerDown={(e) => insertAt(e, i)} data-mid={i} />;
              })}
            {draft.map((pt, i) => (
              <circle
                key={`v${i}`}
                class={`vertex ${i === p.selectedPoint ? 'selected' : ''} ${p.drawing && i === 0 && draft.length >= 3 ? 'closer' : ''}`}
                cx={pt[0] * size.w}
                cy={pt[1] * size.h}
                r={7}
                onPointerDown={(e) => startDrag(e, i)}
                onContextMenu={(e) => remove(e, i)}
                onDblClick={(e) => remove(e, i)}
                data-vertex={i}
              />
            ))}
          </g>
        )}
      </svg>
      {p.drawing && <div class="canvas-hint">{draft.length >= 3 ? t('zones.hintClose') : t('zones.hintDraw')}</div>}
    </div>
  );
}
