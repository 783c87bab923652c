"""HTTP API and live stream (aiohttp), served by ``classlab demo`` and ``classlab gateway``.

Routes::

    GET /                   the dashboard's first page (dashboard/index.html)
    GET /static/{file}      its script and style (dashboard/)
    GET /api/health         counters: status, boards, frames, samples, dropped, influx_backlog, rejected, ...
    GET /api/boards         boards seen: meta, status, counters, clock
    GET /api/analysis       live experiment readouts per board (and the last run's full result)
    GET /api/teacher/check  200 with the teacher token (Authorization: Bearer <token>), else 401
    GET /api/live           WebSocket: {"type": "hello"|"data"|"health", ...} for live graphs

The live stream sends at most ``LIVE_HZ`` messages a second; each carries, per board and channel, the
new samples in physical units (times in ms since the epoch), thinned to at most ``MAX_POINTS`` points.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np
from aiohttp import WSCloseCode, web

from .live_analysis import LiveAnalysis
from .pipeline import LiveFrame, Pipeline
from .protocol import KIND_EVENTS, KIND_SAMPLES

LIVE_HZ = 5.0
MAX_POINTS = 400
STATIC = {"live.js": "text/javascript", "style.css": "text/css"}
PIPELINE = web.AppKey("pipeline", Pipeline)
TOKEN = web.AppKey("teacher_token", str)
EXTRA = web.AppKey("extra_health", object)
ANALYSIS = web.AppKey("live_analysis", object)
SOCKETS: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("sockets", set)


def _dashboard_file(name: str) -> bytes:
    return resources.files("classlab.dashboard").joinpath(name).read_bytes()


async def index(request: web.Request) -> web.Response:
    return web.Response(body=_dashboard_file("index.html"), content_type="text/html", charset="utf-8")


async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC:
        raise web.HTTPNotFound()
    return web.Response(body=_dashboard_file(name), content_type=STATIC[name], charset="utf-8")


def health_of(app: web.Application) -> dict[str, Any]:
    h = app[PIPELINE].health()
    extra = app[EXTRA]
    if callable(extra):
        h.update(extra())
    return h


async def health(request: web.Request) -> web.Response:
    return web.json_response(health_of(request.app))


async def boards(request: web.Request) -> web.Response:
    return web.json_response(request.app[PIPELINE].board_list())


def is_teacher(request: web.Request) -> bool:
    got = request.headers.get("Authorization", "")
    want = f"Bearer {request.app[TOKEN]}"
    return hmac.compare_digest(got.encode(), want.encode())


async def teacher_check(request: web.Request) -> web.Response:
    if not is_teacher(request):
        return web.json_response({"error": "teacher token required: Authorization: Bearer <token> "
                                           "/ 需要教师令牌"}, status=401)
    return web.json_response({"teacher": True})


def _channel_info(meta: dict[str, Any] | None) -> dict[int, tuple[float, float, str, str]]:
    out = {}
    for c in (meta or {}).get("channels", []):
        try:
            out[int(c["id"])] = (float(c.get("scale", 1.0)), float(c.get("offset", 0.0)),
                                 str(c.get("unit", "")), str(c.get("quantity", "")))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def live_message(frames: list[LiveFrame]) -> dict[str, Any]:
    """Committed frames → one JSON-able message with physical values, thinned per board and channel."""
    series: dict[tuple[str, int], list[tuple[np.ndarray, np.ndarray]]] = {}
    units: dict[tuple[str, int], tuple[str, str]] = {}
    events = []
    for f in frames:
        info = _channel_info(f.meta)
        if f.kind == KIND_SAMPLES and f.samples.size:
            t = (f.t0_ns + np.floor(np.arange(len(f.samples)) * f.dt_ns)) / 1e6
            for j, ch in enumerate(f.channels):
                scale, offset, unit, qty = info.get(ch, (1.0, 0.0, "raw", "raw"))
                series.setdefault((f.key, ch), []).append((t, f.samples[:, j] * scale + offset))
                units[(f.key, ch)] = (qty, unit)
        elif f.kind == KIND_EVENTS and f.events.size:
            t = (f.t0_ns + np.floor(f.events["dt_us"] * f.dt_ns)) / 1e6
            for k in range(len(f.events)):
                events.append({"key": f.key, "ch": int(f.events["channel"][k]), "t": float(t[k]),
                               "level": int(f.events["level"][k])})
    out = []
    for (key, ch), parts in series.items():
        t = np.concatenate([p[0] for p in parts])
        val = np.concatenate([p[1] for p in parts])
        step = max(1, -(-len(t) // MAX_POINTS))
        qty, unit = units[(key, ch)]
        out.append({"key": key, "ch": ch, "quantity": qty, "unit": unit, "t": t[::step].round(3).tolist(),
                    "v": val[::step].tolist()})
    return {"type": "data", "series": out, "events": events[-MAX_POINTS:]}


async def live(request: web.Request) -> web.WebSocketResponse:
    app = request.app
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    app[SOCKETS].add(ws)
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    sub = app[PIPELINE].bus.subscribe(maxlen=4096, notify=lambda: loop.call_soon_threadsafe(wake.set), replay=True)

    async def sender() -> None:
        await ws.send_json({"type": "hello", "boards": app[PIPELINE].board_list(), "health": health_of(app)})
        last_health = loop.time()
        while not ws.closed:
            try:
                await asyncio.wait_for(wake.wait(), timeout=1.0)
            except TimeoutError:
                pass
            wake.clear()
            frames = [f for batch in sub.drain() for f in batch]
            if frames:
                await ws.send_json(live_message(frames))
            if loop.time() - last_health >= 1.0:
                last_health = loop.time()
                await ws.send_json({"type": "health", "health": health_of(app),
                                    "boards": app[PIPELINE].board_list()})
            await asyncio.sleep(1.0 / LIVE_HZ)  # rate limit: at most LIVE_HZ messages a second

    task = asyncio.create_task(sender())
    try:
        async for _msg in ws:  # the page sends nothing yet; reading handles ping/close
            pass
    finally:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, ConnectionResetError):
            pass
        sub.close()
        app[SOCKETS].discard(ws)
    return ws


async def _close_sockets(app: web.Application) -> None:
    sockets: set[web.WebSocketResponse] = app[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")


async def analysis(request: web.Request) -> web.Response:
    live = request.app[ANALYSIS]
    return web.json_response(live.results() if isinstance(live, LiveAnalysis) else {})


def make_app(pipeline: Pipeline, teacher_token: str, extra_health: Callable[[], dict[str, Any]] | None = None,
             live_analysis: LiveAnalysis | None = None) -> web.Application:
    app = web.Application()
    app[ANALYSIS] = live_analysis
    app[PIPELINE] = pipeline
    app[TOKEN] = teacher_token
    app[EXTRA] = extra_health
    app[SOCKETS] = set()
    app.on_shutdown.append(_close_sockets)
    app.add_routes([
        web.get("/", index), web.get("/static/{name}", static), web.get("/api/health", health),
        web.get("/api/boards", boards), web.get("/api/teacher/check", teacher_check), web.get("/api/live", live),
        web.get("/api/analysis", analysis),
    ])
    return app
