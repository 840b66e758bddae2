"""`bench_scale.py`: tie shapes, the few thousand ties every generated tie is a copy of.

Each shape is a list of touches (a power law of how many: most ties have one or two, a few
hundreds; in bursts over three years; mail mostly, some meetings and calls) folded and scored
by the real strength model (core/strength.py), so a tie's state, score, label, reasons and
volume are what ingest would have stored for those touches. A tie takes the shape its
(member, person) hashes to, by a slot table weighted so that the mean touches per tie is the
one asked for.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

import psycopg

from scale_copy import copy_rows
from tiegraph.core.strength import TieState, Touch, fold, score, strength, to_columns

SHAPES_PER_COUNT = 8
YEARS = 3
SLOTS = 1_000_000  # a tie's shape: the slot its (member, person) hashes to -> shape


def slot(member: str, person: str) -> str:
    """SQL: the slot of a tie, a multiplicative hash (bigint-safe) of its member and person."""
    return f"(({member} * 1000003 + {person}) * 2654435761 %% 4294967291 %% {SLOTS})"


# --- tie shapes --------------------------------------------------------------------------------


def _counts(mean: float) -> list[tuple[int, float]]:
    """(touches, weight) of a power law over 1..400 touches per tie whose mean is `mean`."""
    grid = sorted({*range(1, 21), *(round(20 * 1.25**i) for i in range(1, 15))})
    grid = [k for k in grid if k <= 400]

    def weights(a: float) -> list[float]:
        raw = []
        for i, k in enumerate(grid):
            top = grid[i + 1] if i + 1 < len(grid) else 401
            raw.append(sum(n**-a for n in range(k, top)))
        total = sum(raw)
        return [w / total for w in raw]

    low, high = 1.01, 6.0
    for _ in range(60):
        a = (low + high) / 2
        got = sum(k * w for k, w in zip(grid, weights(a), strict=True))
        low, high = (a, high) if got > mean else (low, a)
    return list(zip(grid, weights((low + high) / 2), strict=True))


def _touches(rng: random.Random, count: int, now: datetime) -> list[Touch]:
    bursts = [rng.uniform(0.5, YEARS * 365.0) for _ in range(1 + min(count // 6, 12))]
    share_out = rng.uniform(0.2, 0.8)
    touches = []
    for _ in range(count):
        days = min(max(rng.choice(bursts) + rng.gauss(0, 5), 0.01), YEARS * 365.0)
        at = (now - timedelta(days=days)).replace(microsecond=0)
        roll = rng.random()
        direction = "out" if rng.random() < share_out else "in"
        if roll < 0.85:
            touches.append(
                Touch(
                    at,
                    "email",
                    direction,
                    1 + min(int(rng.expovariate(0.7)), 9),
                    0,
                    rng.random() < 0.3,
                )
            )
        elif roll < 0.95:
            touches.append(
                Touch(
                    at,
                    "meeting",
                    direction,
                    rng.randint(2, 8),
                    rng.choice((1800, 2700, 3600)),
                    False,
                )
            )
        else:
            touches.append(Touch(at, "call", direction, 1, rng.randint(60, 1200), False))
    return sorted(touches, key=lambda t: t.at)


def load_shapes(conn: psycopg.Connection[Any], mean: float, now: datetime, seed: int) -> float:
    """Tie shapes, their touches and the slot table; returns the mean touches per tie."""
    rng = random.Random(seed)
    conn.execute(
        "CREATE UNLOGGED TABLE bench_shape (id int PRIMARY KEY, state json, score float, "
        "label text, reasons json, volume float, first_at timestamptz, last_at timestamptz)"
    )
    conn.execute(
        "CREATE UNLOGGED TABLE bench_touch (shape_id int, at timestamptz, channel text, "
        "direction text, participants int, duration int, reply bool)"
    )
    conn.execute("CREATE UNLOGGED TABLE bench_pick (slot int PRIMARY KEY, shape_id int)")
    shapes, touches, picks = [], [], []
    slot = 0
    expected = 0.0
    for count, weight in _counts(mean):
        share = round(weight * SLOTS / SHAPES_PER_COUNT)
        for _ in range(SHAPES_PER_COUNT):
            shape_id = len(shapes) + 1
            made = _touches(rng, count, now)
            state = fold(TieState(), made)
            scored = score(state, now)
            shapes.append(
                (
                    shape_id,
                    json.dumps(to_columns(state)),
                    float(scored.score),
                    scored.label,
                    json.dumps(list(scored.reasons)),
                    strength(state, now),
                    state.first_at,
                    state.last_at,
                )
            )
            touches += [
                (
                    shape_id,
                    t.at,
                    t.channel,
                    t.direction,
                    t.participants,
                    t.duration_seconds,
                    t.thread_reply,
                )
                for t in made
            ]
            take = min(share, SLOTS - slot)
            picks += [(s, shape_id) for s in range(slot, slot + take)]
            slot += take
            expected += take * count
    picks += [(s, 1) for s in range(slot, SLOTS)]  # rounding: the rest take a one-touch shape
    expected += SLOTS - slot
    copy_rows(
        conn,
        "bench_shape",
        ("id", "state", "score", "label", "reasons", "volume", "first_at", "last_at"),
        shapes,
    )
    copy_rows(
        conn,
        "bench_touch",
        ("shape_id", "at", "channel", "direction", "participants", "duration", "reply"),
        touches,
    )
    copy_rows(conn, "bench_pick", ("slot", "shape_id"), picks)
    return expected / SLOTS
