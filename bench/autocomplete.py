"""Address autocomplete on the offline gazetteer against a plain ``LIKE`` scan of the same table.

200 prefixes of real BAN addresses (number, street, first letters of the commune), in-process,
warm. Prints p50 of each and the ratio last; the goal is p50 < 30 ms.
"""

from __future__ import annotations

import random
import time

from sqlalchemy import select, text

from app.context import reading
from app.geocoding.models import Address
from app.geocoding.normalize import tokens
from app.geocoding.service import geocode
from bench.common import SETTINGS, p50, ratio_line

with reading(SETTINGS) as reader:
    session, data = reader.session, reader.data
    labels = list(session.scalars(select(Address.label).where(Address.snapshot_id == data.id)))
    queries = []
    for label in random.Random(1).sample(labels, 200):
        number, *street = label.split(" ")
        queries.append(" ".join([number, *street[:-2], street[-1][:3]]))

    def ours(q: str) -> object:
        return geocode(reader, q, 8)

    def like(q: str) -> object:
        words = tokens(q)
        where = " AND ".join(f"search LIKE :w{i}" for i in range(len(words)))
        return session.execute(
            text(f"SELECT label FROM address WHERE snapshot_id = :s AND {where} LIMIT 8"),
            {"s": data.id, **{f"w{i}": f"%{w}%" for i, w in enumerate(words)}},
        ).all()

    def timed(fn) -> list[float]:
        out = []
        for q in queries:
            start = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - start)
        return out

    timed(ours)
    fast, slow = timed(ours), timed(like)
print(f"ours p50 {p50(fast) * 1e3:.1f} ms; LIKE scan p50 {p50(slow) * 1e3:.1f} ms")
ratio_line("autocomplete speed-up over a LIKE scan", p50(slow) / p50(fast), "p50 < 30 ms")
