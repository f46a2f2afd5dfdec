"""An image CAPTCHA a person can solve and a DOM reader cannot.

The page shows nine raster tiles and asks for the ones with a given shape. Which tiles match lives only
on the server; the tiles are PNG pixels; a correct answer earns a single-use response token that the
platform's form sends back, as reCAPTCHA and hCaptcha do.
"""

import math
import random
import secrets
import struct
import time
import zlib
from dataclasses import dataclass, field

SHAPES = ("circle", "square", "triangle", "cross")
TILES = 9
TILE_PX = 96
TOKEN_TTL_S = 600  # long enough for a person to finish the rest of the form
MAX_CHALLENGES = 2000  # old challenges are dropped beyond this, so memory stays bounded

Rgb = tuple[int, int, int]


@dataclass
class Challenge:
    id: str
    target: str
    shapes: tuple[str, ...]
    seed: int
    tiles: dict[int, bytes] = field(default_factory=dict)

    @property
    def answer(self) -> list[int]:
        return [n for n, s in enumerate(self.shapes) if s == self.target]


def _png(width: int, height: int, rows: list[bytearray]) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _inside(shape: str, x: float, y: float, r: float) -> bool:
    if shape == "circle":
        return x * x + y * y <= r * r
    if shape == "square":
        return abs(x) <= 0.78 * r and abs(y) <= 0.78 * r
    if shape == "cross":
        return (abs(x) <= 0.28 * r and abs(y) <= r) or (abs(y) <= 0.28 * r and abs(x) <= r)
    # triangle pointing up, inscribed in the circle of radius r
    return y <= 0.5 * r and math.sqrt(3) * x - y <= r and -math.sqrt(3) * x - y <= r


def _colour(rng: random.Random, low: int, high: int) -> Rgb:
    return (rng.randrange(low, high), rng.randrange(low, high), rng.randrange(low, high))


def render_tile(shape: str, seed: int) -> bytes:
    rng = random.Random(seed)
    back, ink = _colour(rng, 170, 250), _colour(rng, 20, 140)
    cx, cy = rng.uniform(36, 60), rng.uniform(36, 60)
    r, angle = rng.uniform(22, 32), rng.uniform(-0.5, 0.5)
    cos, sin = math.cos(angle), math.sin(angle)
    rows = []
    for py in range(TILE_PX):
        row = bytearray()
        for px in range(TILE_PX):
            dx, dy = px - cx, py - cy
            x, y = dx * cos + dy * sin, -dx * sin + dy * cos
            base = ink if _inside(shape, x, y, r) else back
            jitter = rng.randrange(-18, 19)
            row.extend(max(0, min(255, c + jitter)) for c in base)
        rows.append(row)
    return _png(TILE_PX, TILE_PX, rows)


class CaptchaBook:
    def __init__(self) -> None:
        self._challenges: dict[str, Challenge] = {}
        self._tokens: dict[str, float] = {}
        self._invisible: dict[str, float] = {}

    def new(self) -> Challenge:
        rng = random.Random(secrets.randbits(64))
        target = rng.choice(SHAPES)
        hits = rng.randint(2, 4)
        others = [s for s in SHAPES if s != target]
        shapes = [target] * hits + [rng.choice(others) for _ in range(TILES - hits)]
        rng.shuffle(shapes)
        challenge = Challenge(secrets.token_urlsafe(12), target, tuple(shapes), rng.getrandbits(32))
        if len(self._challenges) >= MAX_CHALLENGES:
            self._challenges.pop(next(iter(self._challenges)))
        self._challenges[challenge.id] = challenge
        return challenge

    def get(self, challenge_id: str) -> Challenge | None:
        return self._challenges.get(challenge_id)

    def tile(self, challenge_id: str, n: int) -> bytes | None:
        challenge = self._challenges.get(challenge_id)
        if challenge is None or not 0 <= n < TILES:
            return None
        if n not in challenge.tiles:
            challenge.tiles[n] = render_tile(challenge.shapes[n], challenge.seed * 31 + n)
        return challenge.tiles[n]

    def check(self, challenge_id: str, picks: list[int]) -> str | None:
        """A response token for a correct answer; any answer uses the challenge up."""
        challenge = self._challenges.pop(challenge_id, None)
        if challenge is None or sorted(set(picks)) != challenge.answer:
            return None
        token = secrets.token_urlsafe(32)
        self._tokens[token] = time.monotonic() + TOKEN_TTL_S
        return token

    def valid(self, token: str) -> bool:
        return self._tokens.get(token, 0.0) > time.monotonic()

    def redeem(self, token: str) -> bool:
        return self._tokens.pop(token, 0.0) > time.monotonic()

    def invisible(self) -> str:
        """A token from the invisible widget: every browser that runs the page's script scores well."""
        if len(self._invisible) >= MAX_CHALLENGES:
            self._invisible.pop(next(iter(self._invisible)))
        token = "03A" + secrets.token_urlsafe(40)
        self._invisible[token] = time.monotonic() + TOKEN_TTL_S
        return token

    def invisible_valid(self, token: str) -> bool:
        return self._invisible.get(token, 0.0) > time.monotonic()
