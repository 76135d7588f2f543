"""PgBouncer in transaction-pooling mode in front of a PostgreSQL: what Neon's `-pooler` host is.

`python -m tests.support.pgbouncer [pytest arguments]` (what `.ci/run` and `make test-pgbouncer`
run) starts one in front of the test PostgreSQL (TEST_POSTGRES_URL), runs pytest with the app's
database URL pointing at it, and stops it. Tests also start their own with `running_pgbouncer`.
PYTEST_DONT_REWRITE: no asserts here.

The settings are the strict case of Neon's pooler: transaction pooling (each transaction on the
next server connection in turn) and no protocol-level prepared statements (PgBouncer before
1.21 has none; `max_prepared_statements = 0` turns them off after; Neon allows 1000), so the app
must not rely on them. TLS from clients is on unless asked otherwise, as on Neon.
"""

from __future__ import annotations

import csv
import io
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

# PgBouncer refuses to run as root: as root, it switches to this OS user.
OS_USER = "postgres"
STARTUP_SECONDS = 10
DEFAULT_UPSTREAM = "postgresql://postgres@127.0.0.1:5432/postgres"


class PgBouncerMissing(RuntimeError):
    """No pgbouncer executable: install Debian's `pgbouncer` or set TEST_PGBOUNCER_BIN."""


@dataclass(frozen=True)
class PgBouncer:
    """A running PgBouncer: where clients connect, and its log."""

    port: int
    directory: Path
    tls: bool

    @property
    def log(self) -> Path:
        return self.directory / "pgbouncer.log"

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        """A client URL for `database` through PgBouncer (TLS required when it serves TLS)."""
        credentials = user if password is None else f"{user}:{password}"
        query = "?sslmode=require" if self.tls else ""
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{database}{query}"


def show(port: int, what: str, *, user: str = "postgres") -> list[dict[str, str]]:
    """`SHOW <what>` on the admin console of the PgBouncer at `port`, one dict per row.

    The console speaks only the simple query protocol, which asyncpg does not expose: psql.
    """
    psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
    dsn = f"host=127.0.0.1 port={port} user={user} dbname=pgbouncer sslmode=prefer"
    output = subprocess.run(
        [psql, dsn, "--csv", "--no-psqlrc", "--command", f"SHOW {what}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return list(csv.DictReader(io.StringIO(output)))


def executable() -> str:
    found = os.environ.get("TEST_PGBOUNCER_BIN") or shutil.which("pgbouncer")
    if found is None and Path("/usr/sbin/pgbouncer").exists():
        found = "/usr/sbin/pgbouncer"
    if found is None:
        raise PgBouncerMissing("pgbouncer is not installed (apt-get install pgbouncer)")
    return found


def version(binary: str) -> tuple[int, int]:
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"PgBouncer (\d+)\.(\d+)", output.stdout)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def write_config(
    directory: Path,
    *,
    port: int,
    upstream: str,
    binary: str,
    certificate: tuple[Path, Path] | None,
    server_tls: bool = False,
    users: Mapping[str, str] | None = None,
    auth_user: str | None = None,
) -> Path:
    """pgbouncer.ini for any database at `upstream` (a libpq-style `host= port= ...`).

    With `trust`, PgBouncer admits the users its auth_file names, and logs in to the server
    with the password it gives them; with an `auth_user` (a superuser in the auth_file) it
    also admits any other role the server has, as Neon's pooler does.
    """
    entries = (users or {"postgres": ""}).items()
    (directory / "userlist.txt").write_text("".join(f'"{u}" "{p}"\n' for u, p in entries))
    settings = {
        "listen_addr": "127.0.0.1",
        "listen_port": str(port),
        "unix_socket_dir": "",  # TCP only, as clients of a hosted pooler connect
        "auth_type": "trust",
        "auth_file": str(directory / "userlist.txt"),
        "admin_users": "postgres",
        "stats_users": "postgres",
        "pool_mode": "transaction",
        # Fewer server connections than the app opens: transactions of different clients
        # really take turns on the same server connections.
        "default_pool_size": "8",
        # Each transaction takes the next server connection in turn (not the last one used):
        # anything a client leaves on a server connection, such as a prepared statement, is
        # missing from its very next transaction, instead of only under concurrent load.
        "server_round_robin": "1",
        "min_pool_size": "4",
        "max_client_conn": "500",
        # A server that was unreachable is tried again after a second (default 15 s).
        "server_login_retry": "1",
        "ignore_startup_parameters": "extra_float_digits",
        "logfile": str(directory / "pgbouncer.log"),
        "log_connections": "0",
        "log_disconnections": "0",
    }
    if auth_user is not None:
        settings["auth_user"] = auth_user
    if version(binary) >= (1, 21):
        settings["max_prepared_statements"] = "0"
    if certificate is not None:
        settings["client_tls_sslmode"] = "require"
        settings["client_tls_cert_file"] = str(certificate[0])
        settings["client_tls_key_file"] = str(certificate[1])
    if server_tls:
        settings["server_tls_sslmode"] = "require"
    if os.geteuid() == 0:
        settings["user"] = OS_USER
    lines = ["[databases]", f"* = {upstream}", "", "[pgbouncer]"]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    path = directory / "pgbouncer.ini"
    path.write_text("\n".join(lines) + "\n")
    return path


def upstream_of(url: str) -> str:
    """PgBouncer's `[databases]` entry for the server a PostgreSQL URL names (any database)."""
    parsed = make_url(url)
    return f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432}"


@contextmanager
def running_pgbouncer(
    upstream: str,
    *,
    tls: bool = True,
    server_tls: bool = False,
    users: Mapping[str, str] | None = None,
    auth_user: str | None = None,
) -> Iterator[PgBouncer]:
    """Start PgBouncer in a temporary directory; stop it and remove the directory after."""
    binary = executable()
    directory = Path(tempfile.mkdtemp(prefix="todo-pgbouncer-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        certificate = _certificate(directory) if tls else None
        port = _free_port()
        config = write_config(
            directory,
            port=port,
            upstream=upstream,
            binary=binary,
            certificate=certificate,
            server_tls=server_tls,
            users=users,
            auth_user=auth_user,
        )
        _hand_over(directory)
        process = subprocess.Popen(
            [binary, str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal reaches pytest, not PgBouncer
        )
        bouncer = PgBouncer(port=port, directory=directory, tls=tls)
        _wait_until_listening(process, bouncer)
        yield bouncer
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def _certificate(directory: Path) -> tuple[Path, Path]:
    # Imported here: tests.support.pg_cluster imports pytest fixtures the runner does not need.
    from tests.support.pg_cluster import write_self_signed_certificate

    cert = write_self_signed_certificate(directory)
    return cert, directory / "server.key"


def _hand_over(directory: Path) -> None:
    """As root, PgBouncer runs as OS_USER: give it its directory (config, key, log)."""
    if os.geteuid() != 0:
        return
    pwd.getpwnam(OS_USER)  # KeyError: no such user, said plainly by the traceback
    for path in (directory, *directory.iterdir()):
        shutil.chown(path, OS_USER, OS_USER)


def _wait_until_listening(process: subprocess.Popen[bytes], bouncer: PgBouncer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", bouncer.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    log = bouncer.log.read_text(errors="replace") if bouncer.log.exists() else "(no log)"
    raise RuntimeError(f"PgBouncer did not start on port {bouncer.port}:\n{log[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # "safe shutdown": closes after running queries
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(arguments: Sequence[str]) -> int:
    """Run pytest with the app's database behind a PgBouncer started for the run."""
    admin_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_UPSTREAM)
    try:
        executable()
    except PgBouncerMissing as error:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            print(f"{error} (CI=true: a missing pgbouncer is a failure)", file=sys.stderr)
            return 1
        print(f"{error}: the PgBouncer run is skipped (with CI=true it fails)", file=sys.stderr)
        return 0
    # A CI timeout's SIGTERM unwinds through the `with`: PgBouncer is stopped, its files removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    user = make_url(admin_url).username or "postgres"
    password = make_url(admin_url).password or ""
    # Without TLS from clients: the URLs stay as plain as the direct ones (tests take them
    # apart); TLS through PgBouncer is tested on its own (tests/test_db_faults.py).
    with running_pgbouncer(
        upstream_of(admin_url), tls=False, users={user: password}, auth_user=user
    ) as bouncer:
        environment = {
            **os.environ,
            # Only the app's URL goes through PgBouncer; the tests create databases and run
            # migrations on the direct URL, as the README says to.
            "TEST_PGBOUNCER_URL": bouncer.url("postgres", user=user),
            "DATABASE_PGBOUNCER": "true",
        }
        print(f"PgBouncer (transaction pooling) on 127.0.0.1:{bouncer.port}", flush=True)
        command = [sys.executable, "-m", "pytest", *arguments]
        return subprocess.run(command, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
