#!/usr/bin/python3
"""A real RTSP server for tests: GStreamer's gst-rtsp-server, driven by test/support/rtsp.ts.

Usage: rtsp_server.py '<json config>'   (config: {"port": 0, "mounts": [...], "auth": {...}})
Each mount: {"path": "/cam1", "file": "/abs/video.mp4", "live": false, "key_int": 50, "codec": "h264" | "h265"}
  - file-backed (live false): each client gets its own pipeline playing the file from its start; the
    H.264 in the file is sent as is (no re-encode), like an NVR playing back a recording.
  - live (live true): one background pipeline decodes the file in a loop into intervideosink; the
    mount (shared by all clients) reads intervideosrc and encodes with x264 tune=zerolatency, like an
    IP camera encoding what its sensor sees now. `key_int` is the GOP in frames.
Raw mount: {"path": "/ptz", "raw": {"width": 640, "height": 360, "fps": 5}, "key_int": 5} takes RGB frames
  of that size from stdin (one after another, no framing: each is width*height*3 bytes) through appsrc,
  encoded like a live mount: the picture a test renders frame by frame (the virtual PTZ camera). At most
  one raw mount; the server stops when stdin closes.
Auth (optional): {"user": "u", "password": "p", "method": "basic" | "digest"} applies to every mount.
Prints one JSON line {"port": N} on stdout once listening, then serves until killed.
"""
import json
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def file_pipeline(path, codec):
    loc = path.replace('"', '\\"')
    n = "265" if codec == "h265" else "264"
    return (
        f'( filesrc location="{loc}" ! qtdemux name=d d.video_0 ! queue ! h{n}parse ! '
        f"rtph{n}pay name=pay0 pt=96 config-interval=1 )"
    )


def start_loop_feeder(path, channel, width, fps):
    """Decodes `path` forever into intervideosink channel `channel` (seeks back to 0 at the end)."""
    loc = path.replace('"', '\\"')
    caps = f"video/x-raw,framerate={fps}/1" + (f",width={width},pixel-aspect-ratio=1/1" if width else "")
    pipe = Gst.parse_launch(
        f'filesrc location="{loc}" ! decodebin ! videoconvert ! videoscale ! videorate ! {caps} ! '
        f"intervideosink channel={channel}"
    )
    bus = pipe.get_bus()
    bus.add_signal_watch()

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.EOS:
            pipe.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
        elif msg.type == Gst.MessageType.ERROR:
            err, _ = msg.parse_error()
            print(f"feeder {channel} error: {err}", file=sys.stderr, flush=True)

    bus.connect("message", on_message)
    pipe.set_state(Gst.State.PLAYING)
    return pipe


def start_stdin_feeder(raw, channel, loop):
    """Pushes RGB frames read from stdin into intervideosink `channel`; quits `loop` when stdin closes."""
    w, h, fps = int(raw["width"]), int(raw["height"]), int(raw["fps"])
    pipe = Gst.parse_launch(
        f"appsrc name=src is-live=true do-timestamp=true format=time "
        f"caps=video/x-raw,format=RGB,width={w},height={h},framerate={fps}/1 ! "
        f"videoconvert ! intervideosink channel={channel}"
    )
    src = pipe.get_by_name("src")
    size = w * h * 3

    def read_frames():
        stdin = sys.stdin.buffer
        while True:
            data = stdin.read(size)
            if len(data) < size:
                GLib.idle_add(loop.quit)
                return
            src.emit("push-buffer", Gst.Buffer.new_wrapped(data))

    threading.Thread(target=read_frames, daemon=True).start()
    pipe.set_state(Gst.State.PLAYING)
    return pipe


def live_pipeline(channel, key_int, bitrate):
    return (
        f"( intervideosrc channel={channel} ! videoconvert ! "
        f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={key_int} bitrate={bitrate} ! "
        "video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def main():
    cfg = json.loads(sys.argv[1])
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(cfg.get("port", 0)))
    mounts = server.get_mount_points()

    auth_cfg = cfg.get("auth")
    if auth_cfg:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        if auth_cfg.get("method") == "digest":
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(auth_cfg["user"], auth_cfg["password"], token)
        else:
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(auth_cfg["user"], auth_cfg["password"]), token)
        server.set_auth(auth)

    loop = GLib.MainLoop()
    feeders = []
    for i, m in enumerate(cfg["mounts"]):
        factory = GstRtspServer.RTSPMediaFactory()
        if m.get("live") or m.get("raw"):
            channel = f"weisu{i}"
            if m.get("raw"):
                feeders.append(start_stdin_feeder(m["raw"], channel, loop))
            else:
                feeders.append(start_loop_feeder(m["file"], channel, m.get("width"), m.get("fps", 25)))
            factory.set_launch(live_pipeline(channel, m.get("key_int", 50), m.get("bitrate", 2048)))
            factory.set_shared(True)
            # Like a real camera, the encoder keeps running between clients: a sampler that connects for
            # one keyframe and leaves, again and again, must not tear the shared media down each time.
            factory.set_stop_on_disconnect(False)
            factory.set_suspend_mode(GstRtspServer.RTSPSuspendMode.NONE)
        else:
            factory.set_launch(file_pipeline(m["file"], m.get("codec", "h264")))
            factory.set_shared(False)
        factory.set_eos_shutdown(not (m.get("live") or m.get("raw")))
        if auth_cfg:
            factory.add_role_from_structure(
                Gst.Structure.new_from_string(
                    "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
                )
            )
        mounts.add_factory(m["path"], factory)

    server.attach(None)
    print(json.dumps({"port": server.get_bound_port()}), flush=True)

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    for f in feeders:
        f.set_state(Gst.State.NULL)


if __name__ == "__main__":
    main()
