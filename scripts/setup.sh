#!/usr/bin/env bash
# Idempotent set-up of everything weisu needs on a Debian machine: system packages, npm packages, build.
# `npm start` and `npm test` run it first, so a fresh clone needs nothing else. Installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip

need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v redis-server >/dev/null || need+=(redis-server)
# Evidence captions are in Chinese and English: without a CJK font they render as empty boxes.
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ "${1:-}" = "--test" ]; then
  # The real RTSP server used by tests (GStreamer's), run by Debian's python3 with gi.
  /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer' 2>/dev/null \
    || need+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools)
  command -v chromium >/dev/null || need+=(chromium)
  command -v pg_ctlcluster >/dev/null || need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

if [ "${1:-}" = "--test" ]; then
  # Services the tests talk to: a machine of this kind starts them; a fresh one may not.
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 \
    || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break; sleep 1; done
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
fi
