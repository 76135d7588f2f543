"""A throwaway PostgreSQL cluster, TLS on, for tests that stop, restart or reconfigure it.

Never the shared PostgreSQL at 127.0.0.1:5432 (other runs use it): `initdb` into a temporary
directory, a free port, a self-signed certificate, and only TLS connections with a password
over TCP, as Neon takes them. A test module gets the session-scoped `pg_cluster` fixture with
`pytest_plugins = ["tests.support.pg_cluster"]`; it is started once, shared, and removed at the end.
A test that stops or restarts it leaves it running. PYTEST_DONT_REWRITE: no asserts here.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import os
import pwd
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.ci import missing
from tests.support.live_server import free_port

# The role and database a Neon project starts with; the password needs percent-encoding.
ROLE = "neondb_owner"
PASSWORD = "p@ss w0rd/:?"
DATABASE = "neondb"
# PostgreSQL refuses to run as root: as root, the cluster runs as this OS user.
OS_USER = "postgres"
COMMAND_SECONDS = 60


def postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl are: TEST_POSTGRES_BINDIR, else the newest Debian install."""
    if configured := os.environ.get("TEST_POSTGRES_BINDIR"):
        return Path(configured)
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if installed:
        return installed[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def require_postgres_bindir() -> Path:
    """The binaries' directory; a failure under CI=true, a skip otherwise."""
    bindir = postgres_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        message = "PostgreSQL's initdb is not installed (set TEST_POSTGRES_BINDIR)"
        missing(message)
    return bindir


def write_self_signed_certificate(directory: Path, *, owner: str | None = None) -> Path:
    """server.crt and server.key for localhost and 127.0.0.1 in `directory`; the cert's path."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)  # PostgreSQL and PgBouncer refuse a key others can read
    if owner is not None:
        for path in (cert_path, key_path):
            shutil.chown(path, owner)
    return cert_path


@dataclass
class Cluster:
    """One initdb'd cluster under `root` (data, socket, log, certificate) on `port`."""

    bindir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    @property
    def certificate(self) -> Path:
        return self.root / "server.crt"

    def url(self, database: str = DATABASE, *, query: str = "sslmode=require") -> str:
        """A connection string as Neon shows it: role, password, TLS required."""
        credentials = f"{quote(ROLE, safe='')}:{quote(PASSWORD, safe='')}"
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{database}?{query}"

    async def admin(self, database: str = "postgres") -> asyncpg.Connection:
        """A superuser connection over the cluster's Unix socket (trust; no TLS there)."""
        return await asyncpg.connect(
            host=str(self.root), port=self.port, user="postgres", database=database, timeout=10
        )

    async def start(self) -> None:
        await self._pg_ctl("start", "-w", "-t", str(COMMAND_SECONDS), "-l", str(self.log))

    async def stop(self, mode: str = "fast") -> None:
        await self._pg_ctl("stop", "-w", "-m", mode)

    async def restart(self, mode: str = "fast") -> None:
        await self._pg_ctl("restart", "-w", "-m", mode, "-l", str(self.log))

    async def is_running(self) -> bool:
        process = await _spawn([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data)])
        await process.communicate()
        return process.returncode == 0

    async def _pg_ctl(self, *args: str) -> None:
        await run([str(self.bindir / "pg_ctl"), *args, "-D", str(self.data)], log=self.log)


async def _spawn(command: Sequence[str]) -> asyncio.subprocess.Process:
    prefix = ["runuser", "-u", OS_USER, "--"] if os.geteuid() == 0 else []
    return await asyncio.create_subprocess_exec(
        *prefix,
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def run(command: Sequence[str], *, log: Path | None = None) -> str:
    """Run a PostgreSQL tool (as the postgres OS user when root); its output, or fail."""
    process = await _spawn(command)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), COMMAND_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    except asyncio.CancelledError:
        # Let pg_ctl finish what it started, or a later start would race with it.
        await asyncio.wait_for(process.wait(), COMMAND_SECONDS)
        raise
    text = output.decode(errors="replace")
    if process.returncode != 0:
        tail = _tail(log) if log else ""
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{text}\n{tail}")
    return text


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def make_root() -> Path:
    """A temporary directory the cluster's OS user owns (PostgreSQL insists on it)."""
    root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            shutil.rmtree(root)
            pytest.fail(f"running as root needs the {OS_USER!r} OS user to run PostgreSQL")
        shutil.chown(root, OS_USER, OS_USER)
    root.chmod(0o700)
    return root


async def initialize(cluster: Cluster) -> None:
    """initdb, TLS on, password-only TCP over TLS; started, with ROLE owning DATABASE."""
    root = cluster.root
    write_self_signed_certificate(root, owner=OS_USER if os.geteuid() == 0 else None)
    await run(
        [
            str(cluster.bindir / "initdb"),
            *("-D", str(cluster.data), "-U", "postgres", "--auth=trust"),
            *("--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"),
        ]
    )
    settings = {
        "port": str(cluster.port),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{root}'",
        "ssl": "on",
        "ssl_cert_file": f"'{root / 'server.crt'}'",
        "ssl_key_file": f"'{root / 'server.key'}'",
        "password_encryption": "'scram-sha-256'",
        "fsync": "off",  # a clean restart checkpoints; nothing here tests the disk
        "log_min_messages": "warning",
    }
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
    (cluster.data / "pg_hba.conf").write_text(
        "local all all trust\n"
        "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        "hostnossl all all 127.0.0.1/32 reject\n"
    )
    await cluster.start()
    admin = await cluster.admin()
    try:
        # Like the roles Neon creates (members of neon_superuser): not a superuser, but
        # BYPASSRLS, so the tasks table's row level security does not apply to it.
        await admin.execute(f"CREATE ROLE {ROLE} LOGIN BYPASSRLS PASSWORD '{PASSWORD}'")
        await admin.execute(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def _pg_cluster_for_the_run() -> AsyncIterator[Cluster]:
    cluster = Cluster(bindir=require_postgres_bindir(), root=make_root(), port=free_port())
    try:
        await initialize(cluster)
        yield cluster
    finally:
        await _shut_down(cluster)
        shutil.rmtree(cluster.root, ignore_errors=True)


async def _shut_down(cluster: Cluster) -> None:
    """Stop the cluster; kill its postmaster (ours) if pg_ctl cannot."""
    pid_file = cluster.data / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        await cluster.stop("immediate")
    except (RuntimeError, TimeoutError):
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


@pytest.fixture
async def pg_cluster(_pg_cluster_for_the_run: Cluster) -> AsyncIterator[Cluster]:
    """A throwaway cluster (TLS on), shared by the run and deleted at its end; running.

    A test may stop or restart it: it is running again when the test ends.
    """
    cluster = _pg_cluster_for_the_run
    if not await cluster.is_running():
        await cluster.start()
    yield cluster
    if not await cluster.is_running():
        await cluster.start()
