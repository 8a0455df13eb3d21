import { useEffect, useState } from 'preact/hooks';
import { imageUrl } from '../api/client.js';
import { t } from '../i18n/index.js';

interface Props {
  /** API path (cameras/x/snapshot) or an absolute / signed URL. */
  src: string;
  alt: string;
  class?: string;
  /** Fetch again every so often (latest frame). */
  refreshMs?: number;
  /** Do not fetch until true (off-screen cards). */
  active?: boolean;
  onLoad?: (img: HTMLImageElement) => void;
}

/** An image that needs the session's token. Keeps the previous picture on screen while the next loads. */
export function AuthImage({ src, alt, class: cls, refreshMs, active = true, onLoad }: Props) {
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState<string>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!active) return;
    let live = true;
    imageUrl(src).then(
      (u) => {
        if (!live) return URL.revokeObjectURL(u);
        setUrl((old) => {
          if (old) URL.revokeObjectURL(old);
          return u;
        });
        setFailed(undefined);
      },
      (e: Error) => live && setFailed(e.message),
    );
    return () => {
      live = false;
    };
  }, [src, active, tick]);

  useEffect(() => () => url && URL.revokeObjectURL(url), []);

  useEffect(() => {
    if (!refreshMs || !active) return;
    const id = setInterval(() => document.visibilityState === 'visible' && setTick((n) => n + 1), refreshMs);
    return () => clearInterval(id);
  }, [refreshMs, active]);

  if (!url)
    return (
      <div class={`img-placeholder ${cls ?? ''}`} role="img" aria-label={alt}>
        <span>{failed ? t('image.unavailable') : active ? t('common.loading') : ''}</span>
      </div>
    );
  return <img class={cls} src={url} alt={alt} title={failed ? `${t('image.stale')}: ${failed}` : undefined} onLoad={(e) => onLoad?.(e.currentTarget)} />;
}
