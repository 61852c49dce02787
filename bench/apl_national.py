"""National APL: our E2SFCA (KD-tree neighbours, sparse weights, solve) against pysal `access`.

The same inputs for both: every commune of the DREES APL file with its town hall (else its
centroid), its standardised population as demand, the crow-fly travel model of the settings,
the standard bands. No public file gives the supply per commune nationally: both solve for
``std population × published APL`` (the consultations the file implies), a real vector of the
right shape. pysal gets its cost table from the same KD-tree query, timed with it (its own
all-pairs builder does not fit in memory nationally). Then: re-solving with the weights built,
and the what-if (one more GP) as a local update against a full re-solve. Needs loaded data.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sqlalchemy.orm import Session

from app.db import make_engine
from app.zones.accessibility import Catchment, crowfly_pairs
from app.zones.data import IndexCache
from app.zones.parameters import apl_model
from bench.common import SETTINGS, p50, per_call, pysal_e2sfca, ratio_line

warnings.filterwarnings("ignore", message="The inplace keyword")
model = apl_model(SETTINGS)
engine = make_engine(SETTINGS.sqlalchemy_url)
with Session(engine) as session:
    network = IndexCache(model).current(session).network(session)
demand = network.catchment.demand
supply = np.nan_to_num(network.apl) * demand
n, reach = len(demand), model.decay.reach_minutes
print(f"{n} communes, {network.catchment.weights.nnz} pairs within {reach:g} min")


def ours() -> np.ndarray:
    pairs = crowfly_pairs(network.lon, network.lat, model.travel, reach)
    return Catchment(pairs, demand, model.decay).solve(supply)


def pysal() -> np.ndarray:
    pairs = crowfly_pairs(network.lon, network.lat, model.travel, reach)
    return pysal_e2sfca(network.codes, demand, supply, pairs, dict(model.decay.bands), reach)


ours_s = p50(per_call(ours, 5))
start = time.perf_counter()
theirs = pysal()
pysal_s = time.perf_counter() - start
difference = float(np.abs(ours() - theirs).max())
print(f"ours end to end p50 {ours_s * 1e3:.0f} ms; pysal access {pysal_s:.2f} s")
print(f"max |ours − pysal| = {difference:.2e} (goal < 1e-9)")

catchment = network.catchment
resolve_s = p50(per_call(lambda: catchment.solve(supply), 200))
print(f"re-solve with the weights built p50 {resolve_s * 1e3:.2f} ms (goal < 5 ms)")
rng = np.random.default_rng(2026)
picks = iter(rng.integers(0, n, 2000))
whatif_s = p50(per_call(lambda: catchment.installation(int(next(picks)), 5400.0), 2000))
print(
    f"what-if local update p50 {whatif_s * 1e6:.0f} µs (goal < 2 ms); "
    f"a full re-solve instead: {resolve_s / whatif_s:.0f}× slower"
)
ratio_line("national E2SFCA vs pysal access", pysal_s / ours_s, "≥ 20×")
