"""Fixtures: a real PostgreSQL in a temp dir, real uvicorn servers on loopback."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(APP_DIR))

REQUIRE_TOOLS = os.environ.get("ASKY_REQUIRE_TOOLS") == "1"


def missing(what: str) -> None:
    """A needed tool is absent: fail under `cargo xtask test`, else skip."""
    if REQUIRE_TOOLS:
        pytest.fail(f"{what} (ASKY_REQUIRE_TOOLS=1; run scripts/test-deps.sh)")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir() -> Path | None:
    def version(p: str) -> tuple[int, ...]:
        part = Path(p).parts[-3]
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=version)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).resolve().parent if which else None


class Postgres:
    """One PostgreSQL cluster: initdb once, start/stop at will (port stays)."""

    def __init__(self, bindir: Path, root: Path, run_as: str | None):
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.run_as = run_as
        self.superuser_password = "super-" + os.urandom(8).hex()

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return prefix + list(args)

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        r = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=120, **kw)
        if r.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}\n{log}")
        return r

    def initdb(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.superuser_password + "\n")
        if self.run_as:
            os.chown(pwfile, pwd.getpwnam(self.run_as).pw_uid, -1)
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            f"--pwfile={pwfile}",
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "-E", "UTF8",
        )
        pwfile.unlink()

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        r = subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"), capture_output=True)
        return r.returncode == 0

    def psql(self, sql: str | None = None, file: Path | None = None) -> str:
        env = {**os.environ, "PGPASSWORD": self.superuser_password}
        args = [str(self.bindir / "psql"), "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-At"]
        args += ["-c", sql] if sql is not None else ["-f", str(file)]
        r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed ({r.returncode}): {r.stderr}")
        return r.stdout

    def create_service_db(self, name: str, user: str, password: str) -> None:
        """Create (or re-create) a database owned by a new login role."""
        self.psql(f"DROP DATABASE IF EXISTS \"{name}\"")
        self.psql(f"DROP ROLE IF EXISTS \"{user}\"")
        self.psql(f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{password}'")
        self.psql(f"CREATE DATABASE \"{name}\" OWNER \"{user}\"")
        self.psql(f"REVOKE ALL ON DATABASE \"{name}\" FROM PUBLIC")


@pytest.fixture(scope="session")
def postgres():
    bindir = pg_bindir()
    if bindir is None:
        missing("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH")
    run_as = None
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: use its own system user, else nobody.
        for candidate in ("postgres", "nobody"):
            try:
                pwd.getpwnam(candidate)
                run_as = candidate
                break
            except KeyError:
                continue
        if run_as is None or shutil.which("runuser") is None:
            missing("running as root, and neither a 'postgres' nor a 'nobody' user with runuser exists")
    root = Path(tempfile.mkdtemp(prefix="asky-pg-"))
    if run_as:
        os.chmod(root, 0o755)
        os.chown(root, pwd.getpwnam(run_as).pw_uid, pwd.getpwnam(run_as).pw_gid)
    pg = Postgres(bindir, root, run_as)
    pg.initdb()
    pg.start()
    try:
        yield pg
    finally:
        if pg.is_running():
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def running_postgres(postgres):
    """The PostgreSQL fixture, started (a test may have stopped it)."""
    if not postgres.is_running():
        postgres.start()
    return postgres


class Server:
    def __init__(self, proc: subprocess.Popen, base: str):
        self.proc = proc
        self.base = base


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.communicate()[0]
                raise RuntimeError(f"uvicorn did not answer {url}:\n{out.decode(errors='replace')}")
            time.sleep(0.1)


class Launcher:
    """Starts `uvicorn main:app` processes (in parallel) and stops them all."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []

    def spawn(self, env: dict[str, str]) -> Server:
        return self.spawn_on(free_port(), env)

    def spawn_on(self, port: int, env: dict[str, str]) -> Server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=APP_DIR,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return Server(proc, f"http://127.0.0.1:{port}")

    def start_many(self, envs: list[dict[str, str]]) -> list[Server]:
        servers = [self.spawn(env) for env in envs]
        for server in servers:
            wait_http(server.base + "/health", server.proc, timeout=60)
        return servers

    def __call__(self, env: dict[str, str]) -> Server:
        return self.start_many([env])[0]

    def stop_all(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def uvicorn_app():
    """Start `uvicorn main:app` with an environment; stopped at test end."""
    launcher = Launcher()
    yield launcher
    launcher.stop_all()


@pytest.fixture(scope="module")
def module_uvicorn():
    launcher = Launcher()
    yield launcher
    launcher.stop_all()
