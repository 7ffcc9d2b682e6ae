"""Real processes for the deployment tests: a throwaway PostgreSQL, web nodes and workers.

Each runs as the production profile would (`careloop web`, `careloop worker`), on loopback,
in its own session so a test can SIGKILL one of them like a lost machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CARELOOP = Path(sys.executable).with_name("careloop")


def wait_until(
    condition: Callable[[], bool], *, timeout: float, describe: Callable[[], str]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up after {timeout}s: {describe()}")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresCluster:
    """A PostgreSQL server of its own on a free loopback port, removed afterwards."""

    bin_dir: Path
    data_dir: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/careloop"

    def _run(self, *arguments: str) -> None:
        command = [str(self.bin_dir / arguments[0]), *arguments[1:]]
        # PostgreSQL refuses to run as root; CI runs as root, so it runs as `postgres` there.
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            action,
            "-D",
            str(self.data_dir / "db"),
            "-o",
            options,
            "-w",
            *extra,
            "-l",
            str(self.data_dir / "server.log"),
        )

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.data_dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data_dir / "db"), "-U", "postgres", "--auth=trust")
        self._pg_ctl("start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "careloop")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_postgres() -> PostgresCluster:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL's server binaries are missing (apt-get install postgresql).")
    cluster = PostgresCluster(bin_dir, Path(tempfile.mkdtemp(prefix="careloop-pg-")))
    cluster.start()
    return cluster


@dataclass
class Service:
    """One careloop process (a web node or a worker) that can be killed and started again."""

    name: str
    arguments: list[str]
    environment: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                [str(CARELOOP), *self.arguments],
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL takes every child
            )

    def kill(self) -> None:
        """SIGKILL the whole process group, as if the machine had vanished."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def run_careloop(environment: dict[str, str], *arguments: str, timeout: float = 300) -> str:
    """Run a one-off `careloop` command and return its output; fail the test if it fails."""
    finished = subprocess.run(
        [str(CARELOOP), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if finished.returncode != 0:
        pytest.fail(f"careloop {' '.join(arguments)} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def start_standby(primary: PostgresCluster) -> PostgresCluster:
    """A streaming replica of `primary`: a base backup taken over the replication protocol
    (`pg_basebackup -R` writes standby.signal and the connection back), started on a port of
    its own. initdb's default pg_hba.conf trusts replication connections from 127.0.0.1."""
    standby = PostgresCluster(
        primary.bin_dir, Path(tempfile.mkdtemp(prefix="careloop-pg-standby-"))
    )
    if os.geteuid() == 0:
        shutil.chown(standby.data_dir, "postgres", "postgres")
    standby._run(
        "pg_basebackup",
        *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
        *("-D", str(standby.data_dir / "db"), "-R", "-X", "stream", "-c", "fast"),
    )
    standby._pg_ctl("start")
    return standby
