"""An IMAP mailbox is tried before it is stored: a wrong password or an unreachable server is the
user's to fix now, in the answer, not a verification that fails hours later in the background."""

import asyncio
import ssl

import aioimaplib

from services.intake import urlcheck
from services.intake.errors import ApiError

# Connecting, the greeting and LOGIN: a mail server that takes longer is unusable for codes anyway.
LOGIN_TIMEOUT_S = 15.0


async def check(host: str, port: int, tls: bool, username: str, password: str, sandbox: bool) -> None:
    """Logs in and out once; raises a 422 that says which part failed (never the password).

    Outside sandbox mode the host must be a public one, by name and by what it resolves to, as
    for job URLs: intake never connects into its own network for a user.
    """
    try:
        await urlcheck.check(f"https://{host}/", sandbox)
    except urlcheck.RefusedUrl:
        raise _refused("imap_host_private", "the IMAP server must be a public host, not a private address") from None
    try:
        await asyncio.wait_for(_login(host, port, tls, username, password), LOGIN_TIMEOUT_S)
    except ApiError:
        raise
    except ssl.SSLError:
        raise _refused("imap_tls_failed", f"{host}:{port} did not complete a TLS handshake (is tls right?)") from None
    except (TimeoutError, OSError, aioimaplib.Abort, aioimaplib.CommandTimeout) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else "refused or unreachable"
        raise _refused("imap_unreachable", f"the IMAP server {host}:{port} {reason}") from None


async def _login(host: str, port: int, tls: bool, username: str, password: str) -> None:
    if tls:
        client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
            host, port, timeout=LOGIN_TIMEOUT_S, ssl_context=ssl.create_default_context()
        )
    else:
        client = aioimaplib.IMAP4(host, port, timeout=LOGIN_TIMEOUT_S)
    try:
        await client.wait_hello_from_server()
        if (await client.login(username, password)).result != "OK":
            raise _refused("imap_login_refused", "the IMAP server refused this username and password")
        try:
            await client.logout()
        except (TimeoutError, OSError, aioimaplib.Abort, aioimaplib.CommandTimeout):
            pass  # logged in: that was the point
    finally:
        transport = getattr(client.protocol, "transport", None)
        if transport is not None and not transport.is_closing():
            transport.close()


def _refused(code: str, message: str) -> ApiError:
    return ApiError(422, code, message, field="password" if code == "imap_login_refused" else "host")
