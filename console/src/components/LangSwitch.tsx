import { setLang, useLang, type Lang } from '../i18n/index.js';

const LANGS: [Lang, string][] = [
  ['zh-CN', '中文'],
  ['en', 'EN'],
];

export function LangSwitch() {
  const lang = useLang();
  return (
    <div class="lang-switch" role="group" aria-label="Language / 语言">
      {LANGS.map(([l, label]) => (
        <button type="button" key={l} class={l === lang ? 'active' : ''} aria-pressed={l === lang} data-lang={l} onClick={() => setLang(l)}>
          {label}
        </button>
      ))}
    </div>
  );
}
