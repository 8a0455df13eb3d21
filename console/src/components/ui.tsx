import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isAbout, type ApiError } from '../api/client.js';
import { t } from '../i18n/index.js';
import { issueText, problemHeadline } from '../i18n/problems.js';

/** Small building blocks shared by the pages. */

export function Loading() {
  return <div class="state-msg">{t('common.loading')}</div>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state-msg empty">{children}</div>;
}

/**
 * A request's error, in the console's language: what went wrong, the issues no field of the form shows
 * (`placed` names the fields that show theirs, so nothing is said twice), and the server's own text one
 * click away.
 */
export function ErrorBox({ error, placed = [] }: { error: ApiError | string | undefined; placed?: string[] }) {
  if (!error) return null;
  if (typeof error === 'string') {
    return (
      <div class="error-box" role="alert">
        {error}
      </div>
    );
  }
  const rest = error.fields.filter((f) => !placed.some((name) => isAbout(f.field, name)));
  return (
    <div class="error-box" role="alert" data-code={error.code ?? ''}>
      <strong>{problemHeadline(error)}</strong>
      {rest.length > 0 && (
        <ul>
          {rest.map((f, i) => (
            <li key={i}>
              {f.field && <code>{f.field}</code>} {issueText(f)}
            </li>
          ))}
        </ul>
      )}
      {error.detail && (
        <details>
          <summary>{t('common.details')}</summary>
          <code>{error.detail}</code>
          {error.fix && <div>{error.fix}</div>}
        </details>
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

/** A labelled input with the server's issues about this field under it, translated, each said once. */
export function Field({ label, name, error, hint, children }: FieldProps) {
  const msg = [...new Set((error?.forField(name) ?? []).map(issueText))].join(' · ');
  return (
    <label class={`field ${msg ? 'invalid' : ''}`} data-field={name}>
      <span class="field-label">{label}</span>
      {children}
      {msg ? <span class="field-error">{msg}</span> : hint ? <span class="field-hint">{hint}</span> : null}
    </label>
  );
}

/** Brings the first field the server refused into view and focus: an error is read at its field, not below the fold. */
export function useFocusInvalid(error: ApiError | undefined, form: RefObject<HTMLFormElement | null>): void {
  useEffect(() => {
    if (!error) return;
    const el = form.current?.querySelector<HTMLElement>('.field.invalid input, .field.invalid select, .field.invalid textarea') ?? form.current?.querySelector<HTMLElement>('.error-box');
    el?.scrollIntoView({ block: 'center' });
    el?.focus();
  }, [error]);
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
