"""Subcommands ``demo``, ``gateway`` and ``simulate`` (registered in cli.COMMANDS)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
import time
from typing import Any

from .cli import CommandError, UsageError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="simulated boards → journal → live page, nothing to install / 演示",
                       description="Run simulated boards (physics models of the labs) through the gateway's "
                                   "pipeline in-process, keep the journal in the user's data directory "
                                   "($CLASSLAB_DATA_DIR, else $XDG_DATA_HOME/classlab or ~/.local/share/classlab) "
                                   "and serve the live page on http://127.0.0.1:PORT. Ctrl-C stops cleanly.")
    _http_args(p, default_port=8000)
    p.add_argument("--boards", type=int, default=3, help="simulated boards (default 3)")
    p.add_argument("--speed", type=float, default=10.0,
                   help="model seconds per wall second (default 10: a boiling curve in a minute)")
    p.add_argument("--site", default="demo", help="site id (default demo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("gateway", help="MQTT → journal (+ InfluxDB) with the dashboard / 网关",
                       description="Run the gateway from a TOML config (see gateway/classlab.example.toml).")
    p.add_argument("--config", required=True, metavar="FILE", help="TOML config file")
    _http_args(p, default_port=None)
    p.set_defaults(func=cmd_gateway)

    p = sub.add_parser("simulate", help="simulated boards publishing real v1 frames to a broker / 模拟传感器板",
                       description="Simulated boards publish meta, status and v1 frames (QoS 1) to a real MQTT "
                                   "broker for --duration seconds of wall time.")
    p.add_argument("--broker", required=True, metavar="URL", help="mqtt://host[:port]")
    p.add_argument("--site", required=True, help="site id ([a-z0-9-]{1,32})")
    p.add_argument("--boards", type=int, required=True, metavar="N", help="number of boards (sim-01 …)")
    p.add_argument("--experiment", metavar="ID", help="catalogue id for every board (default: PHY-J-10, "
                                                      "PHY-S-04, PHY-S-08 in turn)")
    p.add_argument("--rate", type=float, metavar="HZ", help="sampling rate (default: the model's own)")
    p.add_argument("--duration", type=float, required=True, metavar="SEC", help="wall-clock seconds to run")
    p.add_argument("--speed", type=float, default=1.0, help="model seconds per wall second (default 1)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the models (default 0)")
    p.add_argument("--json", action="store_true", help="print what was sent as JSON")
    p.set_defaults(func=cmd_simulate)


def _http_args(p: argparse.ArgumentParser, default_port: int | None) -> None:
    p.add_argument("--port", type=int, default=default_port, metavar="P",
                   help="HTTP port" + (f" (default {default_port})" if default_port else " (default: [http] port)"))
    p.add_argument("--host", default=None, help="listen address (default 127.0.0.1)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--teacher-token", metavar="TOKEN",
                   help="fixed teacher credential (default: a new one, printed at start)")


def _token(args: argparse.Namespace) -> str:
    return args.teacher_token or secrets.token_urlsafe(12)


def _banner(what: str, token: str, journal: str) -> Any:
    def text(url: str) -> str:
        return (f"classlab {what}: {url}\n"
                f"  journal / 数据日志: {journal}\n"
                f"  teacher token / 教师令牌: {token}\n"
                f"  Ctrl-C to stop / 按 Ctrl-C 停止")
    return text


def cmd_demo(args: argparse.Namespace) -> int:
    from . import service, topics
    from .inproc import InProcessTransport
    from .journal import Journal, JournalError
    from .pipeline import Pipeline
    from .simboard import make_boards

    if not 1 <= args.boards <= 64:
        raise UsageError(f"--boards must be 1–64, got {args.boards}")
    if args.speed <= 0:
        raise UsageError(f"--speed must be > 0, got {args.speed}")
    try:
        topics.check_id(args.site, "--site")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    path = service.data_dir() / "demo.db"
    try:
        journal = Journal(path, max_bytes=service.DEMO_MAX_BYTES)
    except JournalError as exc:
        raise CommandError(str(exc)) from None
    pipeline = Pipeline(journal)
    transport = InProcessTransport(pipeline)
    try:
        boards = make_boards(args.site, args.boards, lambda _b: transport.publish, speed=args.speed,
                             seed=int(time.time()) % 100000)
    except ValueError as exc:
        journal.close()
        raise CommandError(str(exc)) from None
    token = _token(args)
    from .live_analysis import LiveAnalysis

    # the simulated boards name their lab in their meta: its template runs live (GET /api/analysis)
    return _serve(service, pipeline, journal, [service.SimRunner(boards)], args, args.port, token,
                  _banner("demo", token, str(path)), analysis=LiveAnalysis(pipeline.bus))


def cmd_gateway(args: argparse.Namespace) -> int:
    from . import service
    from .config import ConfigError, load
    from .journal import Journal, JournalError
    from .mqtt_source import MqttSource
    from .pipeline import Pipeline
    from .serial_source import SerialSource

    try:
        cfg = load(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    try:
        journal = Journal(cfg.journal_path, max_bytes=cfg.max_bytes, forwarder="influxdb" if cfg.influxdb else None)
    except JournalError as exc:
        raise CommandError(str(exc)) from None
    pipeline = Pipeline(journal)
    m = cfg.mqtt
    source = MqttSource(pipeline, m["url"], cfg.site, client_id=m.get("client_id"), username=m.get("username"),
                        password=m.get("password"), ca_file=m.get("ca_file"), tls=m.get("tls", False),
                        session_expiry_s=m.get("session_expiry_s", 7 * 24 * 3600))
    # boards on USB serial ([[serial]]) feed the same pipeline, next to the MQTT source
    serials = [SerialSource(pipeline, s.port, cfg.site, s.board, baudrate=s.baud) for s in cfg.serial]
    token = _token(args)
    port = args.port if args.port is not None else cfg.http_port
    args.host = args.host or cfg.http_host
    return _serve(service, pipeline, journal, [source, *serials], args, port, token,
                  _banner("gateway", token, str(cfg.journal_path)),
                  extra_health=lambda: {"mqtt": source.stats(), "serial": [s.stats() for s in serials]})


def _serve(service: Any, pipeline: Any, journal: Any, sources: list[Any], args: argparse.Namespace, port: int,
           token: str, banner: Any, extra_health: Any = None, analysis: Any = None) -> int:
    from .mqtt_source import MqttError
    from .serial_source import SerialSourceError

    try:
        return int(service.run(pipeline, journal, sources, host=args.host or "127.0.0.1", port=port, token=token,
                                open_browser=not args.no_browser, banner=banner, extra_health=extra_health,
                                analysis=analysis))
    except (service.PortError, MqttError, SerialSourceError) as exc:
        raise CommandError(str(exc)) from None


def cmd_simulate(args: argparse.Namespace) -> int:
    from . import topics
    from .mqtt_source import BrokerUrl, make_client
    from .simboard import make_boards

    try:
        url = BrokerUrl.parse(args.broker)
        topics.check_id(args.site, "--site")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.boards < 1:
        raise UsageError(f"--boards must be ≥ 1, got {args.boards}")
    if args.duration <= 0 or args.speed <= 0 or (args.rate is not None and args.rate <= 0):
        raise UsageError("--duration, --speed and --rate must be > 0")

    clients: dict[str, Any] = {}
    acked = [0]
    cond = threading.Condition()

    def on_publish(*_a: Any) -> None:
        with cond:
            acked[0] += 1
            cond.notify_all()

    def publisher(board: str) -> Any:
        c = make_client(f"classlab-sim-{args.site}-{board}", url)
        c.will_set(topics.topic(args.site, board, "status"), b"offline", qos=1, retain=True)
        c.on_publish = on_publish
        c.max_inflight_messages_set(200)
        clients[board] = c

        def publish(topic: str, payload: bytes, retain: bool) -> None:
            c.publish(topic, payload, qos=1, retain=retain)
        return publish

    try:
        boards = make_boards(args.site, args.boards, publisher, experiment=args.experiment, rate_hz=args.rate,
                             speed=args.speed, seed=args.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        for c in clients.values():
            c.connect(url.host, url.port, keepalive=30)
            c.loop_start()
    except OSError as exc:
        for c in clients.values():
            c.loop_stop()
        raise CommandError(f"cannot reach the MQTT broker at {args.broker}: {exc}") from None
    sent = 0
    for b in boards:
        b.announce()
        sent += 2
    t0 = time.monotonic()
    while (now := time.monotonic() - t0) < args.duration:
        for b in boards:
            b.step(now)
        time.sleep(min(0.02, max(0.0, args.duration - (time.monotonic() - t0))))  # pacing the boards
    for b in boards:
        b.step(args.duration, final=True)
        b.goodbye()
    sent += len(boards) + sum(b.sent.frames for b in boards)
    deadline = time.monotonic() + 60
    with cond:
        while acked[0] < sent and time.monotonic() < deadline:
            cond.wait(deadline - time.monotonic())
    for c in clients.values():
        c.disconnect()
        c.loop_stop()
    if acked[0] < sent:
        raise CommandError(f"the broker acknowledged {acked[0]} of {sent} messages within 60 s")
    report = {"broker": args.broker, "site": args.site, "boards": len(boards),
              "frames": sum(b.sent.frames for b in boards), "samples": sum(b.sent.samples for b in boards),
              "events": sum(b.sent.events for b in boards), "duration_s": args.duration,
              "per_board": [{"board": b.board, "experiment": b.model.experiment, "frames": b.sent.frames,
                             "samples": b.sent.samples} for b in boards]}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"sent {report['frames']} frames, {report['samples']} samples from {len(boards)} boards "
              f"to {args.broker} / 已发送", file=sys.stdout)
    return 0
