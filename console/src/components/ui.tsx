import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client.js';
import { t } from '../i18n/index.js';

/** Small building blocks shared by the pages. */

export function Loading() {
  return <div class="state-msg">{t('common.loading')}</div>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state-msg empty">{children}</div>;
}

export function ErrorBox({ error }: { error: ApiError | string | undefined }) {
  if (!error) return null;
  const e = typeof error === 'string' ? { detail: error, fields: [], status: 0 } : error;
  return (
    <div class="error-box" role="alert">
      <strong>{e.status === 403 ? t('error.forbidden') : e.status === 0 ? t('error.network') : t('error.title')}</strong> {e.detail}
      {e.fields.length > 1 && (
        <ul>
          {e.fields.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  error?: ApiError;
  hint?: string;
  children: ComponentChildren;
}

/** A labelled input with the server's message for this field under it. */
export function Field({ label, name, error, hint, children }: FieldProps) {
  const msg = error?.forField(name);
  return (
    <label class={`field ${msg ? 'invalid' : ''}`} data-field={name}>
      <span class="field-label">{label}</span>
      {children}
      {msg ? <span class="field-error">{msg}</span> : hint ? <span class="field-hint">{hint}</span> : null}
    </label>
  );
}

type ToastKind = 'ok' | 'error';
let push: (msg: string, kind: ToastKind) => void = () => undefined;

export function toast(msg: string, kind: ToastKind = 'ok'): void {
  push(msg, kind);
}

export function Toasts() {
  const [items, setItems] = useState<{ id: number; msg: string; kind: ToastKind }[]>([]);
  useEffect(() => {
    let n = 0;
    push = (msg, kind) => {
      const id = ++n;
      setItems((xs) => [...xs, { id, msg, kind }]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), kind === 'error' ? 8000 : 3500);
    };
  }, []);
  return (
    <div class="toasts" aria-live="polite">
      {items.map((i) => (
        <div key={i.id} class={`toast toast-${i.kind}`}>
          {i.msg}
        </div>
      ))}
    </div>
  );
}

export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  useEffect(() => {
    const on = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [onClose]);
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal" role="dialog" aria-label={title}>
        <header>
          <h2>{title}</h2>
          <button type="button" class="icon-btn" aria-label={t('common.close')} onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function PageHeader({ title, sub, children }: { title: string; sub?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <div>
        <h1>{title}</h1>
        {sub && <div class="sub">{sub}</div>}
      </div>
      <div class="actions">{children}</div>
    </div>
  );
}
