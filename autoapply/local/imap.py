"""Dovecot as a local IMAP server (plain IMAP on loopback, passwords in a file), for mail tests.

The server reads users from a passwd-file that `add_user` appends to (Dovecot notices the change
itself). Mail is stored as maildirs owned by an unprivileged user: as root that is Dovecot's own
`dovecot` account, so the mail lives in a directory that account can reach (a private folder in the
system's temporary area when the wanted place is not reachable, as under root's 0700 home).
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from autoapply.local.ports import LOOPBACK, free_port
from autoapply.local.probe import PROBE_TIMEOUT_S
from autoapply.local.server import LocalServer

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
DOVECONF_CANDIDATES = ("/usr/bin/doveconf", "/usr/local/bin/doveconf")
# Debian's dovecot-core creates this account; mail processes run as it when we are root.
MAIL_USER_AS_ROOT = "dovecot"
GREETING = b"* OK"

CONFIG = """\
protocols = imap
listen = {host}
base_dir = {run}/run
state_dir = {run}/state
log_path = {log}
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{run}/mail/%n
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={run}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
  }}
}}
"""


def dovecot_binary() -> Path:
    found = shutil.which("dovecot") or next((c for c in DOVECOT_CANDIDATES if Path(c).is_file()), None)
    if found is None:
        raise FileNotFoundError("dovecot not found; install the dovecot-imapd package (./dev setup does)")
    return Path(found)


def doveconf_binary() -> Path:
    found = shutil.which("doveconf") or next((c for c in DOVECONF_CANDIDATES if Path(c).is_file()), None)
    if found is None:
        raise FileNotFoundError("doveconf not found; install the dovecot-imapd package (./dev setup does)")
    return Path(found)


def config_environment(config: Path) -> dict[str, str]:
    """The settings as doveconf hands them to the master, in environment variables.

    Started without them, dovecot re-executes itself through doveconf, and for a moment its pid
    runs another program: the pid-file check (procs.find_ours) would take it for a stranger.
    """
    env_binary = shutil.which("env") or "/usr/bin/env"
    cmd = [str(doveconf_binary()), "-c", str(config), "-m", "master", "-p", "-e", env_binary, "-0"]
    out = subprocess.run(cmd, env={}, capture_output=True, check=True, timeout=30).stdout
    pairs = (item.split(b"=", 1) for item in out.split(b"\0") if b"=" in item)
    return {k.decode(): v.decode() for k, v in pairs}


def write_self_signed(cert: Path, key: Path) -> None:
    """A certificate for 127.0.0.1 valid for a day, signed by its own key."""
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "autoapply test IMAP")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert.chmod(0o644)
    key.chmod(0o600)  # dovecot's config process reads it as root


class ImapServer(LocalServer):
    name = "imap"

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        *,
        tls: bool = False,
        log: Path | None = None,
        pid_file: Path | None = None,
    ) -> None:
        super().__init__(directory, log=log, pid_file=pid_file)
        self.port = port or free_port()
        # IMAP over TLS (port 993's protocol) with a self-signed certificate for 127.0.0.1.
        self.tls = tls
        self.config = self.directory / "dovecot.conf"
        self._run_dir: Path | None = None
        self._config_env: dict[str, str] = {}

    @property
    def host(self) -> str:
        return LOOPBACK

    @property
    def ca_file(self) -> Path:
        """The server's self-signed certificate, to trust as a CA (tls=True only)."""
        return self._reachable_dir() / "imap-cert.pem"

    @property
    def users(self) -> Path:
        # Dovecot's auth process runs as the mail user too: the file lives where that user can read.
        return self._reachable_dir() / "users"

    def add_user(self, address: str, password: str) -> None:
        if any(c in address + password for c in ":\n"):
            raise ValueError("IMAP test users may not contain ':' or newlines")
        with self.users.open("a", encoding="utf-8") as out:
            out.write(f"{address}:{{PLAIN}}{password}\n")

    def prepare(self) -> None:
        self._run_dir = self._reachable_dir()
        self.users.touch(exist_ok=True)
        self.users.chmod(0o644)
        owner = self._mail_owner()
        (self._run_dir / "mail").mkdir(exist_ok=True)
        os.chown(self._run_dir / "mail", owner.pw_uid, owner.pw_gid)
        ssl_settings = "ssl = no"
        if self.tls:
            key = self._reachable_dir() / "imap-key.pem"
            write_self_signed(self.ca_file, key)
            ssl_settings = f"ssl = required\nssl_cert = <{self.ca_file}\nssl_key = <{key}"
        self.config.write_text(
            CONFIG.format(
                host=LOOPBACK,
                ssl=ssl_settings,
                plain_port=0 if self.tls else self.port,
                tls_port=self.port if self.tls else 0,
                run=self._run_dir,
                log=self.directory / "dovecot.log",
                users=self.users,
                uid=owner.pw_uid,
                gid=owner.pw_gid,
            )
        )
        self._config_env = config_environment(self.config)

    def env(self) -> dict[str, str]:
        return {**os.environ, **self._config_env}

    def _mail_owner(self) -> pwd.struct_passwd:
        return pwd.getpwnam(MAIL_USER_AS_ROOT) if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())

    def _reachable_dir(self) -> Path:
        if self._run_dir is not None:
            return self._run_dir
        if os.geteuid() != 0:
            return self.directory
        # Root's temporary folders are 0700: the mail user could not reach a maildir inside them.
        run = Path(tempfile.mkdtemp(prefix="autoapply-imap-"))
        run.chmod(0o711)
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "mail-location.txt").write_text(f"this server's mail and users are in {run}\n")
        self._run_dir = run
        return run

    def command(self) -> list[str]:
        return [str(dovecot_binary()), "-F", "-c", str(self.config)]

    def healthy(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=PROBE_TIMEOUT_S) as raw:
                if not self.tls:
                    return raw.recv(len(GREETING)) == GREETING
                context = ssl.create_default_context(cafile=str(self.ca_file))
                with context.wrap_socket(raw, server_hostname=LOOPBACK) as sock:
                    return sock.recv(len(GREETING)) == GREETING
        except OSError:
            return False

    def destroy(self) -> None:
        """Stop, and delete the mail (also the stand-in folder outside this server's directory)."""
        self.stop()
        if self._run_dir is not None and self._run_dir != self.directory:
            shutil.rmtree(self._run_dir, ignore_errors=True)
        self._run_dir = None
