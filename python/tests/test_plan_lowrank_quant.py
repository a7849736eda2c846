"""linea-plan's combined candidate lowrank-0.5+int4-g128 and the measured
cost model of objective=latency:

- the planned layer is two int4 quant_linear layers ('<name>/latent' = x·V̂ᵀ,
  '<name>' = ·Ûᵀ); running it gives what numpy gives with the factors
  decoded from the IR by linea.formats (not by the compiler);
- the error linea.plan records is the output error measured on the run;
- with objective=latency, a cost-model file saying int4 is slow moves the
  plan off int4.
"""

import json
import pathlib
import re
import tempfile

import numpy as np
import pytest

from linea import formats as F
from linea.tools import collect_stats, run_mlir, run_opt
from test_plan import LAYERS, PLAN, module, weights

CONST = re.compile(r"%(\S+) = arith\.constant dense<(.*?)> : tensor<([0-9x]+)x(\w+)>")
QUANT = re.compile(r"linea\.quant_linear (%\S+), %(\S+), %(\S+) format <([^>]*)> .*?"
                   r'name = "([^"]+)"\} : \(tensor<(?:\d+x)*(\d+)xf32>')
INT4_G128 = F.QFormat("int4", "group", 128, "f32")


def constants(text):
    """SSA name → numpy array of every arith.constant (printed as lists)."""
    found = {}
    for name, value, dims, element in CONST.findall(text):
        shape = tuple(int(d) for d in dims.split("x"))
        dtype = np.int8 if element == "i8" else np.float32
        data = np.array(json.loads(value), dtype=dtype)
        found[name] = np.broadcast_to(data, shape).copy() if data.ndim == 0 else data
    return found


def decoded_factors(text):
    """layer name → (input SSA name, Ŵ decoded with linea.formats)."""
    consts = constants(text)
    factors = {}
    for x, qweight, scales, fmt, name, k in QUANT.findall(text):
        assert fmt == "int4, group 128, symmetric, scale f32", fmt
        packed, s = consts[qweight], consts[scales]
        factors[name] = (x, F.dequantize(INT4_G128, packed.view(np.uint8), s, int(k)))
    return factors


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(7)
    ws = weights(rng)
    x = rng.standard_normal((256, 128)).astype(np.float32)
    dense = module(ws)
    tmp = tempfile.TemporaryDirectory()
    stats = collect_stats(dense, x, pathlib.Path(tmp.name) / "stats.npz")
    yield ws, x, dense, stats, pathlib.Path(tmp.name)
    tmp.cleanup()


def test_lowrank_int4_runs_as_its_decoded_factors(setup):
    ws, x, dense, stats, _ = setup
    planned = run_opt(dense, f"--linea-plan=stats={stats} budget=10 "
                             "candidates=lowrank-0.5+int4-g128",
                      "--mlir-print-elementsattrs-with-hex-if-larger=-1")
    plan = {m.group(5): (m.group(3), float(m.group(4))) for m in PLAN.finditer(planned)}
    assert sorted(plan) == sorted(LAYERS), planned[:2000]
    factors = decoded_factors(planned)
    outputs = run_mlir(planned, [x])
    x64 = x.astype(np.float64)
    for name, y in zip(LAYERS, outputs):
        choice, recorded = plan[name]
        assert choice == "lowrank-0.5+int4-g128"
        latent_input, v = factors[f"{name}/latent"]
        _, u = factors[name]
        assert latent_input == "%arg0" and v.shape[1] == 128 and u.shape == (64, v.shape[0])
        expected = (x64 @ v.T.astype(np.float64)) @ u.T.astype(np.float64)
        np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)
        reference = x64 @ ws[name].T.astype(np.float64)
        measured = np.linalg.norm(y - reference) / np.linalg.norm(reference)
        print(f"{name}: rank {v.shape[0]}, recorded {recorded:.5g}, measured {measured:.5g}")
        assert measured == pytest.approx(recorded, rel=2e-3, abs=2e-6)


def cost_file(path, int4_bytes_per_s):
    forms = {"dense": {"bytes_per_s": 2e10, "flops_per_s": 7e10},
             "int4": {"bytes_per_s": int4_bytes_per_s, "flops_per_s": 7e10}}
    path.write_text(json.dumps({"target": "cpu", "source": "test", "forms": forms}))
    return path


def test_latency_plan_follows_the_cost_file(setup):
    _, _, dense, stats, tmp = setup
    choices = {}
    for label, speed in (("fast", 2e10), ("slow", 1e7)):
        costs = cost_file(tmp / f"{label}.json", speed)
        report = tmp / f"{label}.report.json"
        planned = run_opt(dense, f"--linea-plan=stats={stats} budget=10 objective=latency "
                                 f"candidates=int8,int4-g128 cost-model={costs} report={report}")
        assert f'cost_model = "{costs}"' in planned
        data = json.loads(report.read_text())
        assert data["cost_model_file"] == str(costs)
        assert data["cost_model_forms"]["int4"]["bytes_per_s"] == speed
        choices[label] = {row["layer"]: row["choice"] for row in data["layers"]}
    print(choices)
    # Equal throughputs: int4 (fewest bytes) everywhere; int4 slow: never.
    assert set(choices["fast"].values()) == {"int4-g128"}
    assert "int4-g128" not in choices["slow"].values()
