"""A small stand-in for Google's OAuth endpoints and Gmail's users.getProfile, on loopback.

It checks what Google checks: the client, the redirect URI, the code (single use), and PKCE
(the S256 of the code_verifier must be the challenge given with the consent); refresh tokens
give new access tokens; /revoke records what was revoked.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass, field

from aiohttp import web

from autoapply.local.ports import free_port

SCOPE = "https://www.googleapis.com/auth/gmail.readonly"


@dataclass
class GoogleFake:
    client_id: str
    client_secret: str
    redirect_uri: str
    address: str
    codes: dict[str, str] = field(default_factory=dict)  # code -> code_challenge
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    revoked: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def consent(self, challenge: str) -> str:
        """What Google does when the user says yes: a code bound to the PKCE challenge."""
        code = "4/" + secrets.token_urlsafe(16)
        self.codes[code] = challenge
        return code

    async def start(self) -> "GoogleFake":
        app = web.Application()
        app.add_routes(
            [
                web.post("/token", self.token),
                web.post("/revoke", self.revoke),
                web.get("/gmail/v1/users/me/profile", self.profile),
            ]
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _tokens(self, refresh: bool) -> dict[str, object]:
        access = "ya29." + secrets.token_urlsafe(24)
        self.access.add(access)
        body: dict[str, object] = {"access_token": access, "expires_in": 3599, "scope": SCOPE, "token_type": "Bearer"}
        if refresh:
            token = "1//" + secrets.token_urlsafe(24)
            self.refresh.add(token)
            body["refresh_token"] = token
        return body

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return web.json_response({"error": "invalid_client"}, status=401)
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh:
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(self._tokens(refresh=False))
        challenge = self.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier", ""))
        expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge is None or challenge != expected or form.get("redirect_uri") != self.redirect_uri:
            return web.json_response({"error": "invalid_grant"}, status=400)
        return web.json_response(self._tokens(refresh=True))

    async def revoke(self, request: web.Request) -> web.Response:
        token = str((await request.post()).get("token", ""))
        if token not in self.refresh and token not in self.access:
            return web.json_response({"error": "invalid_token"}, status=400)
        self.refresh.discard(token)
        self.revoked.append(token)
        return web.json_response({})

    async def profile(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.access:
            return web.json_response({"error": {"code": 401, "message": "Invalid Credentials"}}, status=401)
        return web.json_response({"emailAddress": self.address, "messagesTotal": 3, "historyId": "1"})
