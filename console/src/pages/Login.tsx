import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Session } from '../api/types.js';
import { t } from '../i18n/index.js';
import { login } from '../session.js';
import { LangSwitch } from '../components/LangSwitch.js';

export function LoginPage({ onLogin }: { onLogin: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await login(username.trim(), password));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setError(status === 401 ? t('auth.bad') : status === 429 ? t('auth.tooMany') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="login-page">
      <form class="login-card" onSubmit={submit}>
        <div class="login-brand">
          <span class="logo big">未诉</span>
          <div>
            <h1>weisu</h1>
            <p>{t('brand.tagline')}</p>
          </div>
        </div>
        <label class="field">
          <span class="field-label">{t('auth.username')}</span>
          <input name="username" autoComplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autoFocus />
        </label>
        <label class="field">
          <span class="field-label">{t('auth.password')}</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        </label>
        {error && (
          <div class="error-box" role="alert">
            {error}
          </div>
        )}
        <button class="btn primary wide" type="submit" disabled={busy}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
        <div class="login-foot">
          <LangSwitch />
        </div>
      </form>
    </div>
  );
}
