"""Which platform a job URL is on, and its canonical key: pure, no I/O.

The key is what "the same job" means for the one-application-per-user rule: the platform and its
requisition id where the URL carries one, else the normalised URL (scheme, case, default port,
fragment, trailing slash and tracking parameters removed; the other parameters sorted).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that say where a visitor came from, not which job it is.
TRACKING = re.compile(r"^(utm_.*|gclid|fbclid|mc_[a-z]+|ref|referrer|source|src|lever-source.*|trk.*|_ga)$", re.I)
_UUID = r"[0-9a-fA-F-]{36}"

# (platform, host pattern, path pattern); the path's named groups make the requisition id.
# Real hosts first; the sandbox's replicas serve the same paths under /<platform>/ on loopback.
_REAL = (
    ("greenhouse", r"(job-boards|boards)(\.eu)?\.greenhouse\.io", r"^/(?P<board>[^/]+)/jobs/(?P<id>\d+)"),
    ("lever", r"jobs(\.eu)?\.lever\.co", rf"^/(?P<company>[^/]+)/(?P<id>{_UUID})"),
    ("ashby", r"jobs\.ashbyhq\.com", rf"^/(?P<org>[^/]+)/(?P<id>{_UUID})"),
    ("workday", r"(?P<tenant>[^.]+)\.[^.]+\.myworkdayjobs\.com", r"/job/[^/]+/[^/]*_(?P<id>[A-Za-z0-9-]+)/?"),
    ("linkedin", r"(www\.)?linkedin\.com", r"^/jobs/view/(?:[^/]*-)?(?P<id>\d+)"),
)
_SANDBOX = (
    ("greenhouse", r"^/greenhouse/(?P<board>[^/]+)/jobs/(?P<id>\d+)"),
    ("lever", r"^/lever/(?P<company>[^/]+)/(?P<id>[^/]+)"),
    ("ashby", r"^/ashby/(?P<org>[^/]+)/(?P<id>[^/]+)"),
    ("workday", r"^/workday/(?P<tenant>[^/]+)/[^/]+/job/[^/]+/(?P<id>[^/]+)"),
    ("linkedin", r"^/linkedin/jobs/view/(?P<id>\d+)"),
)


@dataclass(frozen=True)
class Job:
    url: str  # normalised
    platform: str  # greenhouse, lever, ashby, workday, linkedin, or generic
    key: str


def normalise(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    path = re.sub(r"/+", "/", parts.path).rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def detect(url: str, sandbox: bool) -> Job:
    clean = normalise(url)
    parts = urlsplit(clean)
    host = parts.hostname or ""
    found = _match_real(host, parts.path, parts.query) or (_match_sandbox(parts.path) if sandbox else None)
    if found is None:
        return Job(clean, "generic", f"generic:{parts.netloc}{parts.path}{'?' + parts.query if parts.query else ''}")
    platform, ids = found
    return Job(clean, platform, ":".join((platform, *ids)))


def _match_real(host: str, path: str, query: str) -> tuple[str, tuple[str, ...]] | None:
    for platform, host_re, path_re in _REAL:
        host_match = re.fullmatch(host_re, host)
        path_match = re.search(path_re, path) if host_match else None
        if host_match and path_match:
            return platform, _ids(host_match.groupdict(), path_match.groupdict())
    params = dict(parse_qsl(query))
    if re.fullmatch(r"(www\.)?linkedin\.com", host) and params.get("currentJobId", "").isdigit():
        return "linkedin", (params["currentJobId"],)
    if params.get("gh_jid", "").isdigit():  # a careers page embedding a Greenhouse board
        return "greenhouse", (params["gh_jid"],)
    return None


def _match_sandbox(path: str) -> tuple[str, tuple[str, ...]] | None:
    for platform, path_re in _SANDBOX:
        match = re.search(path_re, path)
        if match:
            return platform, _ids({}, match.groupdict())
    return None


def _ids(*groups: dict[str, str | None]) -> tuple[str, ...]:
    """The requisition's parts, tenant or board first, the id last; lower-case where case is noise."""
    merged = {k: v for g in groups for k, v in g.items() if v and k in ("tenant", "board", "company", "org", "id")}
    order = [k for k in ("tenant", "board", "company", "org") if k in merged] + ["id"]
    return tuple(merged[k].lower() for k in order)
