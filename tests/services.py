"""Throwaway Redis and PostgreSQL servers on loopback, for the tests of a crawl shared by several
processes.

Each server is started once per test session from Debian's binaries (scripts/setup-services.sh
installs them) in a temporary directory, and removed afterwards; each test gets an empty Redis
and a database of its own. Without the binaries the tests that need them are skipped, or fail
when SYNDIGEST_REQUIRE_SERVICES=1 (scripts/test.sh sets it), so CI cannot pass by skipping.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import psycopg
import pytest
import redis

STARTUP_SECONDS = 30


def missing(what: str) -> NoReturn:
    message = f"{what}: run scripts/setup-services.sh to install the test servers"
    if os.environ.get("SYNDIGEST_REQUIRE_SERVICES") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Postgres:
    port: int

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The DSN of a new, empty database."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.dsn(name)


def _as_postgres_user(directory: str) -> list[str]:
    """The command prefix that runs PostgreSQL's tools: initdb refuses to run as root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing("PostgreSQL cannot run as root and there is no 'postgres' user")
    shutil.chown(directory, "postgres")
    return ["runuser", "-u", "postgres", "--"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = versions[-1] if versions else shutil.which("initdb")
    if initdb is None:
        missing("PostgreSQL's initdb not found")
    bin_dir = os.path.dirname(initdb)
    home = tempfile.mkdtemp(prefix="syndigest-pg-")
    user = _as_postgres_user(home)
    data, port = os.path.join(home, "data"), free_port()
    subprocess.run([*user, f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                    "--no-sync", "-E", "UTF8", "--locale=C"],
                   check=True, capture_output=True, timeout=120)
    options = (f"-k {home} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    pg_ctl = [*user, f"{bin_dir}/pg_ctl", "-D", data]
    subprocess.run([*pg_ctl, "-l", os.path.join(home, "log"), "-w", "-t", str(STARTUP_SECONDS),
                    "-o", options, "start"], check=True, capture_output=True, timeout=120)
    try:
        yield Postgres(port)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True,
                       timeout=120, check=False)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def postgres_dsn(postgres_server: Postgres) -> str:
    return postgres_server.new_database()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The URL of a Redis server of this session (no persistence)."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server not found")
    home, port = tempfile.mkdtemp(prefix="syndigest-redis-"), free_port()
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", home],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.1)
    try:
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis server, emptied for this test."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server
