"""The course's FastAPI "Hello World" app.

GET /        -> 200 {"message": "Hello World!"}
GET /health  -> 200 {"status": "ok"}   (liveness and readiness probes)
"""

from fastapi import FastAPI

app = FastAPI(title="hello-fastapi", version="0.1.0")


@app.get("/")
def root() -> dict[str, str]:
    return {"message": "Hello World!"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
