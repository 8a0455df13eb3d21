import type { ComponentChildren } from 'preact';
import type { Session } from '../api/types.js';
import { t, tv } from '../i18n/index.js';
import { href } from '../router.js';
import { allowed } from '../session.js';
import { LangSwitch } from './LangSwitch.js';

interface Props {
  session: Session;
  section: string;
  onLogout: () => void;
  children: ComponentChildren;
}

export function Shell({ session, section, onLogout, children }: Props) {
  const nav: { id: string; label: string; icon: string; show: boolean }[] = [
    { id: 'cameras', label: t('nav.cameras'), icon: '▦', show: true },
    { id: 'incidents', label: t('nav.incidents'), icon: '⚑', show: allowed(session, 'seeIncidents') },
    { id: 'tickets', label: t('nav.tickets'), icon: '☰', show: allowed(session, 'seeIncidents') },
    { id: 'dashboard', label: t('nav.dashboard'), icon: '▤', show: allowed(session, 'seeIncidents') },
    { id: 'calibration', label: t('nav.calibration'), icon: '◎', show: allowed(session, 'calibrate') },
  ];
  return (
    <div class="shell">
      <aside class="sidebar">
        <div class="brand">
          <span class="logo">未诉</span>
          <span class="brand-text">
            weisu<small>{t('brand.tagline')}</small>
          </span>
        </div>
        <nav>
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <a key={n.id} href={href(n.id)} class={section === n.id ? 'active' : ''} data-nav={n.id}>
                <span class="nav-icon" aria-hidden="true">
                  {n.icon}
                </span>
                {n.label}
              </a>
            ))}
        </nav>
        <div class="sidebar-foot">
          <a href="docs" target="_blank" rel="noopener">
            {t('nav.apiDocs')}
          </a>
        </div>
      </aside>
      <div class="main">
        <header class="topbar">
          <div class="crumbs">{nav.find((n) => n.id === section)?.label ?? ''}</div>
          <div class="topbar-right">
            <LangSwitch />
            <span class="user" data-role={session.role}>
              <strong>{session.username}</strong> <span class="role">{tv('role', session.role)}</span>
            </span>
            <button type="button" class="btn ghost" onClick={onLogout}>
              {t('auth.logout')}
            </button>
          </div>
        </header>
        <main class="content">{children}</main>
      </div>
    </div>
  );
}
