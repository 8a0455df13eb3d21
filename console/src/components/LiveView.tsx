import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';

/** The WebSocket URL as the browser must use it: a relative `/live/x` path becomes ws(s)://this-host/live/x. */
export function wsUrl(url: string): string {
  if (/^wss?:\/\//.test(url)) return url;
  const u = new URL(url, location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

/**
 * Live video through the server's relay (streams/live.ts: RTSP → MPEG-1 in MPEG-TS over a WebSocket)
 * decoded in the browser by JSMpeg. The URL is the one the API offers for the camera (`live_url`), used
 * as given: a browser cannot put a Bearer header on a WebSocket, so the server signs that URL like it
 * signs evidence links. The player module is loaded only when someone opens the live view.
 */
export function LiveView({ url }: { url: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<'connecting' | 'playing' | 'closed'>('connecting');

  useEffect(() => {
    let player: { destroy(): void } | undefined;
    let gone = false;
    void import('@cycjimmy/jsmpeg-player').then(({ default: JSMpeg }) => {
      if (gone || !canvas.current) return;
      player = new JSMpeg.Player(wsUrl(url), {
        canvas: canvas.current,
        audio: false,
        // The console's CSP allows no WebAssembly compilation; JSMpeg's JS decoder is fast enough at relay width.
        disableWebAssembly: true,
        autoplay: true,
        pauseWhenHidden: true,
        videoBufferSize: 1024 * 1024,
        onSourceEstablished: () => setState('playing'),
        onSourceCompleted: () => setState('closed'),
      });
    });
    return () => {
      gone = true;
      player?.destroy();
    };
  }, [url]);

  return (
    <div class="live-view">
      <canvas ref={canvas} class="live-canvas" data-testid="live-canvas" />
      <div class={`live-state live-${state}`}>
        <i class="dot" /> {t(`live.${state}`)}
      </div>
    </div>
  );
}
