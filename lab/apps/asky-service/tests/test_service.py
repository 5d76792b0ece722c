"""asky-service with FastAPI's TestClient, a real PostgreSQL, and real uvicorn servers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import main
from conftest import APP_DIR, free_port, missing, wait_http
from main import ConfigError, Database, Settings, create_app, load_routes, settings_from_env

REPO = APP_DIR.parents[2]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def db_for(pg, name: str, user: str, password: str) -> Database:
    return Database(host="127.0.0.1", port=pg.port, name=name, user=user, password=password, timeout=2)


# --- configuration ----------------------------------------------------------


def test_service_name_is_required_and_checked():
    with pytest.raises(ConfigError, match="ASKY_SERVICE='': expected one of"):
        settings_from_env({})
    with pytest.raises(ConfigError, match="ASKY_SERVICE='frontend': expected one of auth, gateway, pyxis, request-manager"):
        settings_from_env({"ASKY_SERVICE": "frontend"})


def test_database_settings_from_env_and_password_file(tmp_path):
    pw = tmp_path / "password"
    pw.write_text("s3cret\n")
    s = settings_from_env(
        {
            "ASKY_SERVICE": "request-manager",
            "ASKY_DB_HOST": "db",
            "ASKY_DB_PORT": "6543",
            "ASKY_DB_NAME": "request_manager",
            "ASKY_DB_USER": "rm",
            "ASKY_DB_PASSWORD_FILE": str(pw),
        }
    )
    assert s.database == Database(host="db", port=6543, name="request_manager", user="rm", password="s3cret", timeout=2)
    with pytest.raises(ConfigError, match="ASKY_DB_PORT='x' is not an integer"):
        settings_from_env({"ASKY_SERVICE": "auth", "ASKY_DB_HOST": "db", "ASKY_DB_PORT": "x", "ASKY_DB_NAME": "a", "ASKY_DB_USER": "a"})
    with pytest.raises(ConfigError, match="ASKY_DB_NAME, ASKY_DB_USER"):
        settings_from_env({"ASKY_SERVICE": "auth", "ASKY_DB_HOST": "db"})
    with pytest.raises(ConfigError, match="ASKY_DB_PASSWORD_FILE=/nonexistent/pw"):
        settings_from_env({"ASKY_SERVICE": "auth", "ASKY_DB_HOST": "db", "ASKY_DB_NAME": "a", "ASKY_DB_USER": "a", "ASKY_DB_PASSWORD_FILE": "/nonexistent/pw"})


def test_routes_file_errors_name_file_line_and_field(tmp_path):
    f = tmp_path / "routes.json"
    f.write_text('{"routes": {"auth": "http://asky-auth:80/"}}')
    assert load_routes(str(f)) == {"auth": "http://asky-auth:80"}
    f.write_text('{"routes": {\n "auth": }')
    with pytest.raises(ConfigError, match=rf"{f}: line 2 column 10"):
        load_routes(str(f))
    f.write_text('{"routes": {"auth": "asky-auth:80"}}')
    with pytest.raises(ConfigError, match="routes.auth: expected an http"):
        load_routes(str(f))
    f.write_text('{"paths": {}}')
    with pytest.raises(ConfigError, match="expected an object with a 'routes' object"):
        load_routes(str(f))
    with pytest.raises(ConfigError, match="gateway routes file not found"):
        settings_from_env({"ASKY_SERVICE": "gateway", "ASKY_GATEWAY_ROUTES": str(tmp_path / "none.json")})


# --- endpoints with TestClient ---------------------------------------------


@pytest.mark.parametrize("service", ["auth", "gateway", "pyxis", "request-manager"])
def test_health_and_root(service):
    client = TestClient(create_app(Settings(service=service, version="9.8.7")))
    assert client.get("/health").json() == {"status": "ok", "service": service}
    assert client.get("/").json() == {"service": service, "version": "9.8.7"}


def test_module_app_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ASKY_SERVICE", "pyxis")
    monkeypatch.delenv("ASKY_DB_HOST", raising=False)
    assert TestClient(main.app).get("/").json() == {"service": "pyxis", "version": "0.1.0"}


def test_service_without_database_is_not_ready():
    r = TestClient(create_app(Settings(service="auth"))).get("/ready")
    assert r.status_code == 503
    assert r.json()["checks"]["postgresql"]["detail"].startswith("database not configured")


def test_only_the_gateway_routes():
    client = TestClient(create_app(Settings(service="auth")))
    assert client.get("/api/pyxis/health").status_code == 404


# --- readiness against a real PostgreSQL -----------------------------------


def test_readiness_flips_with_postgresql(postgres):
    if not postgres.is_running():
        postgres.start()
    postgres.create_service_db("auth_flip", "auth_flip", "pw-auth-flip")
    client = TestClient(create_app(Settings(service="auth", database=db_for(postgres, "auth_flip", "auth_flip", "pw-auth-flip"))))

    r = client.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "service": "auth", "checks": {"postgresql": {"ok": True, "detail": "ok"}}}

    postgres.stop()
    r = client.get("/ready")
    assert r.status_code == 503, r.text
    assert r.json()["checks"]["postgresql"]["ok"] is False
    assert client.get("/health").status_code == 200  # liveness does not depend on the database

    postgres.start()
    r = client.get("/ready")
    assert r.status_code == 200, r.text

    postgres.stop()
    assert client.get("/ready").status_code == 503
    postgres.start()


def test_readiness_503_until_postgresql_starts(postgres, uvicorn_app):
    """Under real uvicorn: 503 while PostgreSQL is down, 200 once up, 503 again when it stops."""
    if postgres.is_running():
        postgres.stop()
    app = uvicorn_app(
        {
            "ASKY_SERVICE": "pyxis",
            "ASKY_DB_HOST": "127.0.0.1",
            "ASKY_DB_PORT": str(postgres.port),
            "ASKY_DB_NAME": "pyxis_up",
            "ASKY_DB_USER": "pyxis_up",
            "ASKY_DB_PASSWORD": "pw-pyxis-up",
        }
    )
    status, body = get(app.base + "/ready")
    assert status == 503 and body["checks"]["postgresql"]["ok"] is False, body
    postgres.start()
    postgres.create_service_db("pyxis_up", "pyxis_up", "pw-pyxis-up")
    status, body = get(app.base + "/ready")
    assert status == 200, body
    postgres.stop()
    status, body = get(app.base + "/ready")
    assert status == 503, body
    postgres.start()


def test_wrong_credentials_are_not_ready(running_postgres):
    running_postgres.create_service_db("auth_pw", "auth_pw", "right-password")
    client = TestClient(create_app(Settings(service="auth", database=db_for(running_postgres, "auth_pw", "auth_pw", "wrong-password"))))
    r = client.get("/ready")
    assert r.status_code == 503
    assert "password authentication failed" in r.json()["checks"]["postgresql"]["detail"]


def test_role_cannot_use_another_services_database(running_postgres):
    running_postgres.create_service_db("iso_a", "iso_a", "pw-a")
    running_postgres.create_service_db("iso_b", "iso_b", "pw-b")
    ok, detail = db_for(running_postgres, "iso_b", "iso_a", "pw-a").check()
    assert not ok and "permission denied" in detail


# --- gateway with real downstream services under uvicorn --------------------


@pytest.fixture(scope="module")
def asky_stack(postgres, module_uvicorn, tmp_path_factory):
    """auth, pyxis and request-manager under uvicorn, each with its own database, and a gateway."""
    if not postgres.is_running():
        postgres.start()
    names = ("auth", "pyxis", "request-manager")
    envs = []
    for name in names:
        db = "gw_" + name.replace("-", "_")
        postgres.create_service_db(db, db, "pw-" + db)
        envs.append(
            {
                "ASKY_SERVICE": name,
                "ASKY_DB_HOST": "127.0.0.1",
                "ASKY_DB_PORT": str(postgres.port),
                "ASKY_DB_NAME": db,
                "ASKY_DB_USER": db,
                "ASKY_DB_PASSWORD": "pw-" + db,
            }
        )
    routes = tmp_path_factory.mktemp("gateway") / "routes.json"
    # The gateway starts in the same batch: its routes file is written first.
    ports = [free_port() for _ in names]
    routes.write_text(json.dumps({"routes": {n: f"http://127.0.0.1:{p}" for n, p in zip(names, ports)}}))
    servers = {}
    for name, env, port in zip(names, envs, ports):
        proc = module_uvicorn.spawn_on(port, env)
        servers[name] = proc
    gateway = module_uvicorn.spawn({"ASKY_SERVICE": "gateway", "ASKY_GATEWAY_ROUTES": str(routes), "ASKY_UPSTREAM_TIMEOUT": "5"})
    for server in [*servers.values(), gateway]:
        wait_http(server.base + "/health", server.proc, timeout=60)
    return gateway, servers, routes


def test_gateway_routes_to_each_service(asky_stack):
    gateway, servers, _ = asky_stack
    for name in servers:
        assert get(f"{gateway.base}/api/{name}/health") == (200, {"status": "ok", "service": name})
        assert get(f"{gateway.base}/api/{name}/") == (200, {"service": name, "version": "0.1.0"})
        status, body = get(f"{gateway.base}/api/{name}/ready")
        assert status == 200 and body["service"] == name, body
    # Status codes and bodies of the downstream pass through.
    assert get(f"{gateway.base}/api/auth/nope")[0] == 404
    req = urllib.request.Request(f"{gateway.base}/api/auth/health", method="POST", data=b"{}")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 405
    status, body = get(f"{gateway.base}/api/frontend/health")
    assert status == 404 and body["routes"] == ["auth", "pyxis", "request-manager"]


def test_gateway_readiness_aggregates_downstream(asky_stack, running_postgres):
    gateway, servers, _ = asky_stack
    status, body = get(gateway.base + "/ready")
    assert status == 200, body
    assert body == {
        "status": "ready",
        "service": "gateway",
        "checks": {n: {"ok": True, "status": 200} for n in ("auth", "pyxis", "request-manager")},
    }
    running_postgres.stop()
    status, body = get(gateway.base + "/ready")
    assert status == 503, body
    assert {n: c["status"] for n, c in body["checks"].items()} == {"auth": 503, "pyxis": 503, "request-manager": 503}
    running_postgres.start()
    assert get(gateway.base + "/ready")[0] == 200


def test_gateway_reports_an_unreachable_service(running_postgres, uvicorn_app, tmp_path):
    running_postgres.create_service_db("gw_solo", "gw_solo", "pw-solo")
    auth_port = free_port()
    dead = f"http://127.0.0.1:{free_port()}"
    routes = tmp_path / "routes.json"
    routes.write_text(json.dumps({"routes": {"auth": f"http://127.0.0.1:{auth_port}", "pyxis": dead}}))
    auth = uvicorn_app.spawn_on(
        auth_port,
        {"ASKY_SERVICE": "auth", "ASKY_DB_HOST": "127.0.0.1", "ASKY_DB_PORT": str(running_postgres.port),
         "ASKY_DB_NAME": "gw_solo", "ASKY_DB_USER": "gw_solo", "ASKY_DB_PASSWORD": "pw-solo"},
    )
    gateway = uvicorn_app.spawn({"ASKY_SERVICE": "gateway", "ASKY_GATEWAY_ROUTES": str(routes), "ASKY_UPSTREAM_TIMEOUT": "2"})
    for server in (auth, gateway):
        wait_http(server.base + "/health", server.proc, timeout=60)
    status, body = get(gateway.base + "/ready")
    assert status == 503
    assert body["checks"]["auth"] == {"ok": True, "status": 200}
    assert body["checks"]["pyxis"]["ok"] is False and "ConnectError" in body["checks"]["pyxis"]["error"]
    status, body = get(gateway.base + "/api/pyxis/health")
    assert status == 502 and "upstream pyxis unreachable" in body["detail"]


# --- the chart's init SQL creates working logins ---------------------------


def test_chart_init_sql_creates_one_database_and_role_per_service(running_postgres, tmp_path):
    helm = shutil.which("helm")
    if helm is None:
        missing("helm not on PATH (target/tools/bin)")
    out = subprocess.run(
        [helm, "template", "initsql", str(REPO / "charts/asky"), "--namespace", "asky",
         "--show-only", "templates/postgresql-init-configmap.yaml",
         "--set", "services.request-manager.database.name=rm_data"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    # Take the SQL block out of the rendered ConfigMap (a YAML literal, 4-space indent).
    lines = out.stdout.splitlines()
    start = lines.index("  01-asky-databases.sql: |") + 1
    sql_lines = []
    for line in lines[start:]:
        if line and not line.startswith("    "):
            break
        sql_lines.append(line[4:])
    sql = "\n".join(sql_lines)
    assert "PASSWORD" in sql and "/run/secrets/asky-db/" in sql
    passwords = {n: f"init-{n}-{os.urandom(4).hex()}" for n in ("auth", "pyxis", "request-manager")}
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for n, p in passwords.items():
        (secrets / f"{n}-password").write_text(p)
    script = tmp_path / "init.sql"
    script.write_text(sql.replace("/run/secrets/asky-db/", f"{secrets}/"))
    running_postgres.psql(file=script)
    expected = {"auth": ("auth", "auth"), "pyxis": ("pyxis", "pyxis"), "request-manager": ("rm_data", "request_manager")}
    for service, (db, user) in expected.items():
        database = db_for(running_postgres, db, user, passwords[service])
        client = TestClient(create_app(Settings(service=service, database=database)))
        r = client.get("/ready")
        assert r.status_code == 200, (service, r.text)
    # Each role owns only its own database.
    ok, detail = db_for(running_postgres, "auth", "pyxis", passwords["pyxis"]).check()
    assert not ok and "permission denied" in detail
