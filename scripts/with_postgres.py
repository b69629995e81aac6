#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server that this script starts and removes.

    python scripts/with_postgres.py COMMAND [ARGS...]

It finds the server binaries (Debian's ``postgresql`` package), creates a cluster in a temporary
folder (as the ``postgres`` user when run as root: the server refuses to run as root), starts it
on a free loopback port, sets ``DATABASE_URL`` for the command, and stops and deletes it after.
Without PostgreSQL it says so and exits 0, unless ``REDENGINE_TEST_STRICT=1`` (CI), where it fails.

Imported, it offers the same as functions: ``find_bindir()``, ``free_port()``, ``postgres()`` (a
running cluster, optionally accepting streaming replication) and ``standby(primary)`` (a hot standby
of it made with ``pg_basebackup -R``), both context managers that stop and delete what they started.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass

USER = "redengine"  # the cluster's superuser (with the replication right), and its database


def find_bindir():
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    return os.path.dirname(candidates[-1]) if candidates else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running cluster: where its binaries, files and log are, and its port on the loopback."""

    bindir: str
    workdir: str
    data: str
    port: int
    user: str | None  # the system account that runs the server: "postgres" when we are root

    @property
    def url(self):
        return f"postgres://{USER}@127.0.0.1:{self.port}/{USER}"

    @property
    def log(self):
        return os.path.join(self.workdir, f"server-{self.port}.log")

    def run(self, program, *args, **kwargs):
        """Run one of the server's programs (``psql``, ``pg_ctl``, …) as the server's account."""
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        return subprocess.run(
            [os.path.join(self.bindir, program), *args], user=self.user, check=True, **kwargs
        )

    def options(self, replication=False):
        options = (
            f"-k {self.workdir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        if replication:
            options += " -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on"
        return options

    def start(self, replication=False):
        self.run("pg_ctl", "-D", self.data, "-o", self.options(replication), "-l", self.log, "-w", "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")


def workspace():
    """A temporary folder the server's account owns."""
    workdir = tempfile.mkdtemp(prefix="redengine-pg-")
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres", group="postgres")
    return workdir


@contextlib.contextmanager
def postgres(bindir=None, *, replication=False):
    """A throwaway cluster on a free loopback port, with the database ``redengine`` (owned by the
    superuser ``redengine``, trusted on the loopback). With ``replication``, it also streams its WAL to
    standbys (``wal_level=replica``, ``max_wal_senders``, a ``replication`` line in ``pg_hba.conf``)."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries found (install Debian's postgresql package)")
    workdir = workspace()
    server = Server(
        bindir, workdir, os.path.join(workdir, "data"), free_port(), "postgres" if os.geteuid() == 0 else None
    )
    try:
        server.run("initdb", "-D", server.data, "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C")
        if replication:
            with open(os.path.join(server.data, "pg_hba.conf"), "a") as hba:
                hba.write(f"host replication {USER} 127.0.0.1/32 trust\n")
        server.start(replication)
        try:
            server.run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", USER, USER)
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def standby(primary):
    """A hot standby of ``primary`` (started with ``replication``) on another loopback port: a base backup
    taken with ``pg_basebackup -R`` (which writes ``standby.signal`` and the ``primary_conninfo`` to stream
    from), started read-only. Stopped when the block ends; its files go with the primary's."""
    server = Server(
        primary.bindir, primary.workdir, os.path.join(primary.workdir, "standby"), free_port(), primary.user
    )
    server.run(
        "pg_basebackup",
        *("-h", "127.0.0.1", "-p", str(primary.port), "-U", USER),
        *("-D", server.data, "-R", "-X", "stream", "-c", "fast"),
    )
    server.start(replication=True)
    try:
        yield server
    finally:
        server.stop()


def main(argv):
    strict = os.environ.get("REDENGINE_TEST_STRICT") == "1"
    bindir = find_bindir()
    if bindir is None:
        reason = "no PostgreSQL server binaries found (install Debian's postgresql package)"
        if strict:
            print(f"FAILED: the PostgreSQL run cannot be skipped here: {reason}", file=sys.stderr)
            return 1
        print(f"SKIPPED: the test suite on PostgreSQL: {reason}")
        return 0
    with postgres(bindir) as server:
        env = dict(os.environ, DATABASE_URL=server.url)
        print(
            f"PostgreSQL {bindir.split('/')[-2]} started on 127.0.0.1:{server.port} for: {' '.join(argv)}",
            flush=True,
        )
        return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
