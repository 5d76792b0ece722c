"""The course app: exact answers with FastAPI's TestClient and under real uvicorn."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from main import app

APP_DIR = Path(__file__).resolve().parents[1]

client = TestClient(app)


def test_root_says_hello_world():
    r = client.get("/")
    assert r.status_code == 200
    assert r.json() == {"message": "Hello World!"}
    assert r.headers["content-type"] == "application/json"


def test_health():
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_unknown_path_is_404():
    assert client.get("/nope").status_code == 404


def test_only_get_on_root():
    assert client.post("/").status_code == 405


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def uvicorn_server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=APP_DIR,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(base + "/health", timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.communicate()[0].decode(errors="replace")
                pytest.fail(f"uvicorn did not start on {base}:\n{out}")
            time.sleep(0.1)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_uvicorn_serves_exact_hello_world(uvicorn_server):
    with urllib.request.urlopen(uvicorn_server + "/", timeout=5) as r:
        body = r.read()
        assert r.status == 200
        assert r.headers["content-type"] == "application/json"
    assert body == b'{"message":"Hello World!"}'
    assert json.loads(body) == {"message": "Hello World!"}


def test_dockerfile_runs_this_app_as_non_root():
    text = (APP_DIR / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines()]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert len(froms) == 1 and "-slim" in froms[0] and "@sha256:" in froms[0], froms
    assert "COPY main.py ." in lines  # the course's version copied a file that does not exist
    users = [line for line in lines if line.startswith("USER ")]
    assert users and users[-1].split()[1].split(":")[0] not in ("0", "root")
    assert users[-1].split()[1].split(":")[0].isdigit()  # numeric, so runAsNonRoot can verify it
    assert "EXPOSE 8000" in lines
    assert '"main:app"' in text and '"8000"' in text
