"""Asky stand-in service: one small FastAPI image for every Asky microservice.

The real Asky images are private, so the lab runs this image once per service,
selected by the environment:

  ASKY_SERVICE          auth | gateway | pyxis | request-manager (required)
  ASKY_VERSION          reported by GET / (default 0.1.0)
  ASKY_DB_HOST          PostgreSQL host; when unset the service has no database
  ASKY_DB_PORT          PostgreSQL port (default 5432)
  ASKY_DB_NAME          database name
  ASKY_DB_USER          role name
  ASKY_DB_PASSWORD      role password, or
  ASKY_DB_PASSWORD_FILE a file holding it (a mounted Secret key)
  ASKY_DB_TIMEOUT       connect timeout in seconds (default 2)
  ASKY_GATEWAY_ROUTES   gateway only: JSON file {"routes": {"<service>": "http://host:port"}}
                        (default /etc/asky/gateway/routes.json, the chart's ConfigMap)
  ASKY_UPSTREAM_TIMEOUT gateway only: seconds for a downstream call (default 5)

Endpoints:
  GET /health  200 {"status": "ok", "service": ...}                (liveness)
  GET /ready   200 when PostgreSQL accepts this service's credentials, else 503;
               gateway: 200 only when every downstream /ready is 200; the body
               lists each check
  GET /        {"service": ..., "version": ...}
  gateway:     /api/<service>/<path> is forwarded to <route>/<path>
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import httpx
import psycopg
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

SERVICES = ("auth", "gateway", "pyxis", "request-manager")
DEFAULT_ROUTES_FILE = "/etc/asky/gateway/routes.json"

# Headers that belong to one hop and are never forwarded (RFC 9110 7.6.1),
# plus the ones httpx recomputes.
HOP_HEADERS = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


class ConfigError(ValueError):
    """The environment or the routes file is wrong; the message names what."""


@dataclass(frozen=True)
class Database:
    host: str
    port: int
    name: str
    user: str
    password: str
    timeout: int = 2

    def check(self) -> tuple[bool, str]:
        """Connect with this service's credentials and run SELECT 1."""
        try:
            with psycopg.connect(
                host=self.host,
                port=self.port,
                dbname=self.name,
                user=self.user,
                password=self.password,
                connect_timeout=self.timeout,
                application_name="asky-readiness",
            ) as conn:
                conn.execute("SELECT 1").fetchone()
            return True, "ok"
        except psycopg.Error as exc:
            # First line only: libpq messages can span lines.
            return False, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass(frozen=True)
class Settings:
    service: str
    version: str = "0.1.0"
    database: Database | None = None
    routes: Mapping[str, str] = field(default_factory=dict)
    upstream_timeout: float = 5.0

    @property
    def is_gateway(self) -> bool:
        return self.service == "gateway"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None


def load_routes(path: str) -> dict[str, str]:
    """Read the gateway's routes file: {"routes": {"auth": "http://asky-auth:80", ...}}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: gateway routes file not found (set ASKY_GATEWAY_ROUTES)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    routes = data.get("routes") if isinstance(data, dict) else None
    if not isinstance(routes, dict):
        raise ConfigError(f"{path}: expected an object with a 'routes' object")
    for name, url in routes.items():
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"{path}: routes.{name}: expected an http(s) URL, got {url!r}")
    return {name: url.rstrip("/") for name, url in routes.items()}


def settings_from_env(env: Mapping[str, str] = os.environ) -> Settings:
    service = env.get("ASKY_SERVICE", "")
    if service not in SERVICES:
        raise ConfigError(f"ASKY_SERVICE={service!r}: expected one of {', '.join(SERVICES)}")
    database = None
    if env.get("ASKY_DB_HOST"):
        password = env.get("ASKY_DB_PASSWORD", "")
        pw_file = env.get("ASKY_DB_PASSWORD_FILE", "")
        if pw_file:
            try:
                password = Path(pw_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"ASKY_DB_PASSWORD_FILE={pw_file}: {exc.strerror}") from None
        missing = [n for n in ("ASKY_DB_NAME", "ASKY_DB_USER") if not env.get(n)]
        if missing:
            raise ConfigError(f"ASKY_DB_HOST is set but {', '.join(missing)} is not")
        database = Database(
            host=env["ASKY_DB_HOST"],
            port=_int(env, "ASKY_DB_PORT", 5432),
            name=env["ASKY_DB_NAME"],
            user=env["ASKY_DB_USER"],
            password=password,
            timeout=_int(env, "ASKY_DB_TIMEOUT", 2),
        )
    routes: dict[str, str] = {}
    if service == "gateway":
        routes = load_routes(env.get("ASKY_GATEWAY_ROUTES", DEFAULT_ROUTES_FILE))
    timeout = _int(env, "ASKY_UPSTREAM_TIMEOUT", 5)
    return Settings(
        service=service,
        version=env.get("ASKY_VERSION", "0.1.0"),
        database=database,
        routes=routes,
        upstream_timeout=float(timeout),
    )


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title=f"asky-{settings.service}", version=settings.version)
    app.state.settings = settings

    @app.get("/")
    def root() -> dict[str, str]:
        return {"service": settings.service, "version": settings.version}

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "service": settings.service}

    async def downstream_ready(client: httpx.AsyncClient, name: str, base: str) -> dict[str, Any]:
        try:
            r = await client.get(f"{base}/ready")
            return {"ok": r.status_code == 200, "status": r.status_code}
        except httpx.HTTPError as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        checks: dict[str, Any] = {}
        if settings.database is not None:
            ok, detail = await asyncio.to_thread(settings.database.check)
            checks["postgresql"] = {"ok": ok, "detail": detail}
        elif not settings.is_gateway:
            checks["postgresql"] = {"ok": False, "detail": "database not configured (ASKY_DB_HOST unset)"}
        if settings.is_gateway:
            if not settings.routes:
                checks["routes"] = {"ok": False, "detail": "no downstream routes configured"}
            async with httpx.AsyncClient(timeout=settings.upstream_timeout) as client:
                names = sorted(settings.routes)
                results = await asyncio.gather(
                    *(downstream_ready(client, n, settings.routes[n]) for n in names)
                )
            for name, result in zip(names, results):
                checks[name] = result
        ok = all(c["ok"] for c in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "service": settings.service, "checks": checks},
            status_code=200 if ok else 503,
        )

    if settings.is_gateway:

        @app.api_route(
            "/api/{target}/{path:path}",
            methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        )
        async def forward(target: str, path: str, request: Request) -> Response:
            base = settings.routes.get(target)
            if base is None:
                return JSONResponse(
                    {"detail": f"no route for service {target!r}", "routes": sorted(settings.routes)},
                    status_code=404,
                )
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
            forwarded_for = request.client.host if request.client else ""
            if forwarded_for:
                prior = request.headers.get("x-forwarded-for")
                headers["x-forwarded-for"] = f"{prior}, {forwarded_for}" if prior else forwarded_for
            url = f"{base}/{path}"
            try:
                async with httpx.AsyncClient(timeout=settings.upstream_timeout) as client:
                    upstream = await client.request(
                        request.method,
                        url,
                        params=request.query_params.multi_items(),
                        headers=headers,
                        content=await request.body(),
                    )
            except httpx.HTTPError as exc:
                return JSONResponse(
                    {"detail": f"upstream {target} unreachable: {type(exc).__name__}"},
                    status_code=502,
                )
            out_headers = {
                k: v for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS | {"content-encoding"}
            }
            return Response(content=upstream.content, status_code=upstream.status_code, headers=out_headers)

    return app


def __getattr__(name: str) -> Any:
    # `uvicorn main:app` reads the environment only when the app is asked for,
    # so importing this module in tests needs no environment.
    if name == "app":
        return create_app(settings_from_env())
    raise AttributeError(name)
