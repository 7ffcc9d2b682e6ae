"""A real IMAP peer on loopback: a Dovecot server (the SMTP one is tests/fixtures/mail.py).

Dovecot runs from a generated configuration in a temporary directory (Debian's
dovecot-imapd package: `apt-get install -y dovecot-imapd`); tests that need it skip, saying
so, where it is not installed.
"""

from __future__ import annotations

import getpass
import imaplib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.mail import free_port

STARTUP_SECONDS = 20


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Dovecot exited: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling for the listening socket, not waiting on time
    raise RuntimeError(f"Dovecot did not listen on {port}: {log.read_text(errors='replace')}")


# --- IMAP -----------------------------------------------------------------------------------


@dataclass
class DovecotServer:
    port: int
    user: str
    password: str
    host: str = "127.0.0.1"

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(self.user, self.password)
        return connection

    def new_folder(self) -> str:
        """A fresh, empty folder, so every test has a mailbox of its own."""
        folder = f"test-{secrets.token_hex(4)}"
        connection = self.connect()
        try:
            status, data = connection.create(folder)
            assert status == "OK", data
        finally:
            connection.logout()
        return folder

    def append(self, folder: str, raw: bytes) -> None:
        connection = self.connect()
        try:
            status, data = connection.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            connection.logout()

    def flags(self, folder: str) -> list[str]:
        """The flags of each email in the folder, in order."""
        connection = self.connect()
        try:
            status, data = connection.select(folder, readonly=True)
            assert status == "OK", data
            if int(data[0] or 0) == 0:
                return []
            status, data = connection.fetch("1:*", "(FLAGS)")
            assert status == "OK", data
            return [item.decode() for item in data if isinstance(item, bytes)]
        finally:
            connection.logout()


def _dovecot_config(base: Path, port: int, as_root: bool) -> str:
    if as_root:
        # Dovecot refuses to run its login and mail processes as root: use its own users.
        login_user, internal_user, mail_user = "dovenull", "dovecot", "dovecot"
    else:
        login_user = internal_user = mail_user = getpass.getuser()
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={base}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        pytest.skip("Dovecot is not installed (Debian: apt-get install -y dovecot-imapd)")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="careloop-dovecot-"))
    base.chmod(0o755)  # Dovecot's own users must reach the mail directory inside
    (base / "mail").mkdir()
    (base / "state").mkdir()
    if as_root:
        dovecot_user = pwd.getpwnam("dovecot")
        os.chown(base / "mail", dovecot_user.pw_uid, dovecot_user.pw_gid)
    server = DovecotServer(
        port=free_port(), user="care@careloop.test", password=secrets.token_hex(8)
    )
    (base / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    config = base / "dovecot.conf"
    config.write_text(_dovecot_config(base, server.port, as_root))
    log = base / "dovecot.log"
    log.touch()
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(server.port, process, log)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)
