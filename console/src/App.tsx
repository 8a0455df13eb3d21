import { useEffect, useState } from 'preact/hooks';
import type { Session } from './api/types.js';
import { whenUnauthorized } from './api/client.js';
import { useLang } from './i18n/index.js';
import { href, navigate, useRoute } from './router.js';
import { allowed, forget, loadSession, logout } from './session.js';
import { Shell } from './components/Shell.js';
import { Toasts } from './components/ui.js';
import { LoginPage } from './pages/Login.js';
import { WallPage } from './pages/Wall.js';
import { CameraPage } from './pages/Camera.js';
import { IncidentsPage } from './pages/Incidents.js';
import { TicketsPage } from './pages/Tickets.js';
import { DashboardPage } from './pages/Dashboard.js';
import { CalibrationPage } from './pages/Calibration.js';

export function App() {
  useLang();
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(loadSession);

  useEffect(() => {
    whenUnauthorized(() => {
      forget();
      setSession(null);
    });
  }, []);

  if (!session) {
    return (
      <>
        <LoginPage
          onLogin={(s) => {
            setSession(s);
            if (route.parts[0] === 'login') navigate(href());
          }}
        />
        <Toasts />
      </>
    );
  }

  const [section = 'cameras', id] = route.parts;
  const page = (() => {
    switch (section) {
      case 'cameras':
        return id ? <CameraPage id={id} session={session} /> : <WallPage session={session} />;
      case 'incidents':
        return <IncidentsPage session={session} selected={id} query={route.query} />;
      case 'tickets':
        return <TicketsPage query={route.query} canRetry={allowed(session, 'review')} />;
      case 'dashboard':
        return <DashboardPage />;
      case 'calibration':
        return <CalibrationPage session={session} query={route.query} />;
      default:
        return <WallPage session={session} />;
    }
  })();

  return (
    <>
      <Shell
        session={session}
        section={section}
        onLogout={() => {
          logout();
          setSession(null);
        }}
      >
        {page}
      </Shell>
      <Toasts />
    </>
  );
}
