"""/metrics, /healthz and /readyz over aiohttp, on one port or two.

/healthz answers as long as the event loop does. /readyz asks the live services: Telegram and the event store
must answer (else 503: do not route to this instance); Redis may be down, because the bot then runs on its
fallbacks and says so ("degraded", still 200), as it does when application Health lists a problem. Before the
bot serves (standing by for the lease, or waiting for its store) the endpoints already answer: alive, and
503 with the status ("standby", "not_ready") and the reason.
"""

import asyncio
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from infrastructure.observability.logs import Redactor

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[Any] | Any]
PROBE_TIMEOUT = 1.0  # a readiness answer is worth little if it takes longer than the prober waits


@dataclass
class Readiness:
    health: Any
    required: dict[str, Probe] = field(default_factory=dict)  # failure: not ready
    degradable: dict[str, Probe] = field(default_factory=dict)  # failure: ready, degraded
    redactor: Redactor = field(default_factory=Redactor)

    async def check(self) -> tuple[int, dict[str, Any]]:
        names = [*self.required, *self.degradable]
        probes = [*self.required.values(), *self.degradable.values()]
        results = await asyncio.gather(*(_probe(p) for p in probes))
        checks = dict(zip(names, results, strict=True))
        if any(checks[name] != "ok" for name in self.required):
            status = "not_ready"
        elif self.health.degraded or any(checks[name] != "ok" for name in self.degradable):
            status = "degraded"
        else:
            status = "ready"
        body = {"status": status, "checks": checks, "problems": dict(self.health.problems)}
        return (503 if status == "not_ready" else 200), self.redactor.walk(body)


async def _probe(probe: Probe) -> str:
    try:
        answer = probe()
        if asyncio.iscoroutine(answer) or isinstance(answer, asyncio.Future):
            answer = await asyncio.wait_for(answer, PROBE_TIMEOUT)
    except TimeoutError:
        return f"no answer within {PROBE_TIMEOUT}s"
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "ok" if answer is not False else "down"


@dataclass
class Waiting:
    """/readyz before the bot serves: 503, with what it waits for (standing by, a store out of reach)."""

    status: str = "not_ready"
    reason: str = "starting"
    redactor: Redactor = field(default_factory=Redactor)

    async def check(self) -> tuple[int, dict[str, Any]]:
        return 503, self.redactor.walk({"status": self.status, "reason": self.reason})


def readiness(backends: Any, health: Any, telegram: Probe, redactor: Redactor | None = None) -> Readiness:
    """Telegram's connection plus the probes the backends registered for the services they opened."""
    return Readiness(health, {"telegram": telegram, **backends.probes}, dict(backends.degradable),
                     redactor or Redactor())


class ObservabilityServer:
    """Serves the endpoints until closed; `ports` holds what was bound (useful when asked for port 0 in tests)."""

    def __init__(self, telemetry: Any, readiness: Readiness | Waiting) -> None:
        self._telemetry = telemetry
        self._readiness = readiness
        self._runners: list[web.AppRunner] = []
        self.ports: dict[str, int] = {}

    def serve_bot(self, telemetry: Any, readiness: Readiness) -> None:
        """The bot is up: from now on the answers are its metrics and its live readiness."""
        self._telemetry, self._readiness = telemetry, readiness

    async def start(self, host: str, metrics_port: int | None, health_port: int | None = None) -> None:
        """None: not served; 0: any free port. Health is on the metrics port unless given a port of its own."""
        health = [web.get("/healthz", self._healthz), web.get("/readyz", self._readyz)]
        separate = health_port is not None and (health_port != metrics_port or health_port == 0)
        if metrics_port is not None:
            routes = [web.get("/metrics", self._metrics), *([] if separate else health)]
            self.ports["metrics"] = await self._serve(routes, host, metrics_port)
            self.ports["health"] = self.ports["metrics"]
        if separate:
            self.ports["health"] = await self._serve(health, host, health_port)

    async def _serve(self, routes: list[web.RouteDef], host: str, port: int) -> int:
        app = web.Application()
        app.add_routes(routes)
        runner = web.AppRunner(app, access_log=None)  # Prometheus scrapes every few seconds: no line per scrape
        await runner.setup()
        self._runners.append(runner)
        # A socket bound here, so asking for port 0 still tells us which port we got.
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        await web.SockSite(runner, sock).start()
        return sock.getsockname()[1]

    async def close(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()

    async def _metrics(self, _: web.Request) -> web.Response:
        if isinstance(self._readiness, Waiting):
            return web.Response(status=503, text=f"not serving yet ({self._readiness.status}); see /readyz\n")
        if self._telemetry is None:
            return web.Response(status=503, text="instrumentation is off (CHANWARDEN_INSTRUMENT=false)\n")
        body = await self._telemetry.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def _readyz(self, _: web.Request) -> web.Response:
        status, body = await self._readiness.check()
        return web.Response(status=status, text=json.dumps(body), content_type="application/json")


async def serve_endpoints(settings: Any, telemetry: Any, ready: Readiness | Waiting) -> ObservabilityServer | None:
    """Start what the settings ask for; a port already taken is logged, and the bot keeps gating regardless."""
    server = ObservabilityServer(telemetry, ready)
    # In the settings 0 means "off" (metrics) or "on the metrics port" (health), never "any port".
    try:
        await server.start(settings.http_host, settings.metrics_port or None, settings.health_port or None)
    except OSError as error:
        if telemetry is not None:
            telemetry.errors["http"] += 1
        log.error("metrics and health endpoints not served: %s", error)
        await server.close()
        return None
    if server.ports:
        log.info("serving %s", ", ".join(f"{name} on {host_port(settings.http_host, port)}"
                                         for name, port in server.ports.items()))
    return server


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
