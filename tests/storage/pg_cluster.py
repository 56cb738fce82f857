"""A PostgreSQL server for the tests and benchmarks: the one named by FLOWDESK_TEST_PG, or a throwaway cluster.

`server_url()` yields a URL of a server where the caller may create and drop
databases. With FLOWDESK_TEST_PG set, that is it. Otherwise, where
PostgreSQL's binaries are installed (Debian: /usr/lib/postgresql/N/bin), a
throwaway cluster is made with initdb in a temporary folder, started on a
free port (fsync off: nothing in it must survive), and stopped and removed
afterwards. initdb refuses to run as root, so as root the cluster belongs to
the `postgres` user (`runuser`). Without either, `Unavailable` says how to
enable the PostgreSQL tests.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.local_servers import free_port

ENVIRONMENT = "FLOWDESK_TEST_PG"
HOW_TO_ENABLE = (f"no PostgreSQL for the PostgreSQL tests: set {ENVIRONMENT}=postgresql://USER@HOST:PORT/postgres "
                 "(a server where the tests may create databases), or install PostgreSQL "
                 "(apt-get install postgresql) so that the tests start a throwaway cluster")


class Unavailable(Exception):
    """No PostgreSQL server can be had here."""


def binaries() -> Path | None:
    """The bin folder of the newest installed PostgreSQL with initdb and pg_ctl, if any."""
    found = [folder for folder in Path("/usr/lib/postgresql").glob("*/bin")
             if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file()]
    return max(found, key=lambda folder: int(folder.parent.name), default=None) if found else None


@contextmanager
def server_url() -> Iterator[str]:
    """A URL of a server where databases may be created: FLOWDESK_TEST_PG, else a throwaway cluster."""
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        yield configured
        return
    folder = binaries()
    if folder is None:
        raise Unavailable(HOW_TO_ENABLE)
    with throwaway_cluster(folder) as url:
        yield url


@contextmanager
def throwaway_cluster(bin_folder: Path) -> Iterator[str]:
    """initdb, start, yield the URL, stop and remove: a cluster for one test session."""
    home = Path(tempfile.mkdtemp(prefix="flowdesk-pg-"))
    as_root = os.geteuid() == 0
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(home, owner.pw_uid, owner.pw_gid)
    data, log = home / "data", home / "server.log"
    port = free_port()

    def run(*command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise Unavailable(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}"
                              + (f"\n{log.read_text()}" if log.exists() else ""))

    try:
        run(str(bin_folder / "initdb"), "-D", str(data), "-U", "flowdesk", "--auth=trust", "-E", "UTF8",
            "--no-locale")
        options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {home} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        run(str(bin_folder / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        try:
            yield f"postgresql://flowdesk@127.0.0.1:{port}/postgres"
        finally:
            run(str(bin_folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def database_url(server: str, name: str) -> str:
    """The URL of database `name` on the server of the URL `server`."""
    parts = urlsplit(server)
    if parts.scheme not in ("postgresql", "postgres"):
        raise Unavailable(f"{ENVIRONMENT} must be a URL such as postgresql://USER@HOST:PORT/postgres")
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(server: str, template: str | None = None) -> str:
    """A new, empty database (or a copy of `template`) on the server; returns its URL."""
    name = f"flowdesk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        copy = f" TEMPLATE {template}" if template else ""
        connection.execute(f"CREATE DATABASE {name}{copy}")
    return database_url(server, name)


def drop_database(server: str, url: str) -> None:
    """Drop the database of `url`, ending any connection still open to it."""
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
