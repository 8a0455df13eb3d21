import { useState } from 'preact/hooks';
import { ApiError, post } from '../api/client.js';
import type { FieldIssue, ImportResult } from '../api/types.js';
import { t } from '../i18n/index.js';
import { issueText } from '../i18n/problems.js';
import { ErrorBox } from './ui.js';

type Format = 'csv' | 'json' | 'yaml';

function formatOf(name: string): Format | undefined {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  return ext === 'csv' ? 'csv' : ext === 'json' ? 'json' : ext === 'yaml' || ext === 'yml' ? 'yaml' : undefined;
}

/**
 * Many cameras at once from a CSV, JSON or YAML file (POST /cameras/import). Valid rows are applied,
 * each bad row is listed with its line and field, so the file can be fixed and sent again.
 */
export function ImportCameras({ onDone }: { onDone: () => void }) {
  const [format, setFormat] = useState<Format>('csv');
  const [content, setContent] = useState('');
  const [mode, setMode] = useState<'upsert' | 'create'>('upsert');
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  async function pick(e: Event) {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setFormat(formatOf(file.name) ?? format);
    setContent(await file.text());
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const r = await post<ImportResult>(`cameras/import?mode=${mode}`, { format, content });
      setResult(r);
      onDone();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  // Rows refused come in one shape whether the others were applied (the result) or none was (the problem).
  const rowErrors: FieldIssue[] = result?.errors ?? error?.fields ?? [];
  return (
    <form class="form-grid" onSubmit={submit} data-form="import">
      <div class="row-2">
        <label class="field">
          <span class="field-label">{t('import.file')}</span>
          <input type="file" accept=".csv,.json,.yaml,.yml,text/csv,application/json" onChange={pick} />
        </label>
        <div class="row-2">
          <label class="field">
            <span class="field-label">{t('import.format')}</span>
            <select value={format} onChange={(e) => setFormat(e.currentTarget.value as Format)}>
              <option value="csv">CSV</option>
              <option value="json">JSON</option>
              <option value="yaml">YAML</option>
            </select>
          </label>
          <label class="field">
            <span class="field-label">{t('import.mode')}</span>
            <select value={mode} onChange={(e) => setMode(e.currentTarget.value as 'upsert' | 'create')}>
              <option value="upsert">{t('import.upsert')}</option>
              <option value="create">{t('import.create')}</option>
            </select>
          </label>
        </div>
      </div>
      <label class="field">
        <span class="field-label">{t('import.content')}</span>
        <textarea rows={8} spellcheck={false} class="mono" value={content} placeholder={'id,name,url,lat,lon,address\njinjiang-north,Jinjiang Rd north gate,rtsp://user:pass@10.0.0.5/ch1,40.129,124.394,Jinjiang Rd 1'} onInput={(e) => setContent(e.currentTarget.value)} />
      </label>
      {error && !error.fields.length && <ErrorBox error={error} />}
      {result && (
        <div class="note">
          {t('import.result', { created: result.created.length, updated: result.updated.length, errors: result.errors.length })}
        </div>
      )}
      {rowErrors.length > 0 && (
        <div class="table-wrap import-errors">
          <table class="table compact">
            <thead>
              <tr>
                <th class="num">{t('import.line')}</th>
                <th>{t('import.field')}</th>
                <th>{t('import.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {rowErrors.map((r, i) => (
                <tr key={i}>
                  <td class="num">{r.line ?? r.row ?? ''}</td>
                  <td>
                    <code>{r.field}</code>
                  </td>
                  <td>{issueText(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="form-actions">
        <button type="submit" class="btn primary" disabled={busy || !content.trim()}>
          {t('import.submit')}
        </button>
      </div>
    </form>
  );
}
