"""The profile pool (original architecture 7.3): reuse the account's profile, else a pooled one,
else a new one with a new proxy binding; lock it for the task, check its proxy, start its browser."""

from dataclasses import dataclass

import asyncpg

from contracts.tasks import TaskQueued
from services.provisioner import fingerprint, proxies, store
from services.provisioner.locks import Locks
from services.provisioner.providers import ProfileSpec, Provider, ProviderError, Session
from services.provisioner.proxies import Proxy
from services.provisioner.settings import ProvisionerSettings


class AccountBusy(ProviderError):
    """The account's profile serves another task; this one waits for it."""


@dataclass(frozen=True)
class Claimed:
    profile: asyncpg.Record
    spec: ProfileSpec
    binding_id: object | None


@dataclass(frozen=True)
class Started:
    claimed: Claimed
    session: Session
    exit_ip: str | None


class Pool:
    def __init__(
        self, settings: ProvisionerSettings, db: asyncpg.Pool, locks: Locks, provider: Provider, key: bytes
    ) -> None:
        self.settings, self.db, self.locks, self.provider, self.key = settings, db, locks, provider, key
        # In production no browser goes out without a proxy; sandbox runs may go direct when none is configured.
        self.proxy_required = settings.mode == "production" or bool(settings.proxy_urls)

    async def claim(self, event: TaskQueued) -> Claimed:
        """The account's profile, locked for this task; AccountBusy when another task holds it."""
        async with self.db.acquire() as conn, conn.transaction():
            # Two tasks of one account arriving together would both create its profile: one waits here.
            await store.lock_account(conn, event.user_id, event.platform)
            profile = await store.profile_for(conn, event.user_id, event.platform)
            if profile is None:
                profile = await self._new_profile(conn, event)
            proxy = await store.proxy_of(conn, self.key, profile["binding_id"]) if profile["binding_id"] else None
        if not await self.locks.acquire(profile["profile_id"], event.task_id, self.settings.instance):
            raise AccountBusy("waiting: the account's browser serves another task")
        spec = ProfileSpec(str(profile["profile_id"]), store.fingerprint_of(profile), proxy, profile["external_id"])
        return Claimed(profile, spec, profile["binding_id"])

    async def _new_profile(self, conn: asyncpg.Connection, event: TaskQueued) -> asyncpg.Record:
        binding = await store.binding_for(conn, event.user_id, event.platform)
        if binding is None and self.proxy_required:
            binding = await store.bind_free_proxy(conn, event.user_id, event.platform)
            if binding is None:
                raise ProviderError("no free proxy for a new account binding (every proxy serves one account)")
        binding_id = binding["binding_id"] if binding else None
        pooled = await store.take_pooled(conn, event.user_id, event.platform, binding_id)
        if pooled is not None:
            return pooled
        return await store.insert_profile(
            conn, self.provider.name, event.platform, fingerprint.generate(), event.user_id, binding_id
        )

    async def start(self, claimed: Claimed) -> Started:
        spec = claimed.spec
        exit_ip = await self._check_proxy(claimed.binding_id, spec.proxy)
        if spec.external_id is None:
            external = await self.provider.create(spec)
            await store.set_external_id(self.db, spec.profile_id, external)
            spec = ProfileSpec(spec.profile_id, spec.fingerprint, spec.proxy, external)
            claimed = Claimed(claimed.profile, spec, claimed.binding_id)
        session = await self.provider.start(spec)
        return Started(claimed, session, exit_ip)

    async def _check_proxy(self, binding_id: object | None, proxy: Proxy | None) -> str | None:
        """The exit IP through the proxy, asked before every start: no browser goes out unproxied."""
        if proxy is None:
            if self.proxy_required:
                raise ProviderError("no proxy bound to this account")
            return None
        ip = await proxies.exit_ip(proxy, self.settings.proxy_check_url, self.settings.proxy_check_timeout_s)
        await store.record_exit_ip(self.db, binding_id, ip)
        return ip

    async def stop(self, spec: ProfileSpec) -> None:
        await self.provider.stop(spec)

    async def spec_of(self, profile: asyncpg.Record) -> ProfileSpec:
        async with self.db.acquire() as conn:
            proxy = await store.proxy_of(conn, self.key, profile["binding_id"]) if profile["binding_id"] else None
        return ProfileSpec(str(profile["profile_id"]), store.fingerprint_of(profile), proxy, profile["external_id"])
