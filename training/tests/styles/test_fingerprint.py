"""A pack's identity (`pack.fingerprint`) comes from the manifest, never from float arithmetic: the
training-form weights that learn.py derives from the shipped graph (fast_graph.training_state_dict,
an einsum of +-1 taps) may differ in the last bit from one CPU to another, and a style file must be
accepted whatever they are."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from training.core import fast_graph
from training.styles import vector as V
from training.styles.learn import UsageError, builtin_vectors, load_frozen

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODELS = os.path.join(ROOT, "models")
PACK = "pastiche-pack16"


def manifest_fingerprint(models=MODELS):
    man = json.load(open(os.path.join(models, "manifest.json")))
    return next(m for m in man["models"] if m["id"] == PACK)["pack"]["fingerprint"]


def test_last_bit_changes_of_the_derived_weights_keep_the_identity_and_the_styles(monkeypatch):
    original = fast_graph.training_state_dict
    changed = []

    def other_cpu(rewritten):
        """The einsum's result as another CPU may round it: the last bit of every up.* weight flipped."""
        sd = original(rewritten)
        for k in [k for k in sd if k.startswith("up.") and k.endswith("conv.conv.weight")]:
            bits = sd[k].numpy().view(np.int32) ^ 1
            sd[k] = torch.from_numpy(bits.view(np.float32).copy())
            changed.append(k)
        return sd

    g0, _, fp0 = load_frozen(MODELS, PACK)
    monkeypatch.setattr(fast_graph, "training_state_dict", other_cpu)
    g1, _, fp1 = load_frozen(MODELS, PACK)
    assert changed == ["up.0.conv.conv.weight", "up.1.conv.conv.weight"]
    assert not torch.equal(g0.up[0].conv.conv.weight, g1.up[0].conv.conv.weight)
    # Hashing the derived floats (what load_frozen once did) tells the two apart ...
    assert V.fingerprint(g0) != V.fingerprint(g1)
    # ... the pack's identity does not, and every built-in style file is accepted.
    assert fp0 == fp1 == manifest_fingerprint()
    size = V.vector_size(g1)
    vectors = builtin_vectors(MODELS, PACK, fp1, size)
    assert len(vectors) == 16 and all(v.shape == (size,) for v in vectors.values())


PROBE = """
import json, sys, torch
torch.set_num_threads(int(sys.argv[1]))
from training.styles.learn import builtin_vectors, load_frozen
from training.styles.vector import vector_size
g, _, fp = load_frozen("models", "pastiche-pack16")
print(json.dumps({"fingerprint": fp, "styles": len(builtin_vectors("models", "pastiche-pack16", fp, vector_size(g)))}))
"""


def _has_avx2() -> bool:
    try:
        return " avx2" in open("/proc/cpuinfo").read()
    except OSError:
        return False


# Forcing AVX2 kernels on a CPU without them would crash: those settings only where the CPU has them.
KERNELS = [({"OPENBLAS_CORETYPE": "Prescott", "ATEN_CPU_CAPABILITY": "default"}, 1), ({}, 2)] + (
    [({"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2"}, 2)] if _has_avx2() else [])


@pytest.mark.parametrize("env,threads", KERNELS)
def test_the_identity_is_the_same_under_other_cpu_kernels_and_threads(env, threads):
    """The failure on a second CPU, replayed with other BLAS and ATen kernels and thread counts."""
    r = subprocess.run([sys.executable, "-c", PROBE, str(threads)], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, **env}, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"fingerprint": manifest_fingerprint(), "styles": 16}


def test_a_changed_pack_graph_is_refused_by_its_stored_bytes(tmp_path):
    man = json.load(open(os.path.join(MODELS, "manifest.json")))
    entry = next(m for m in man["models"] if m["id"] == PACK)
    (tmp_path / "manifest.json").write_text(json.dumps(man))
    data = bytearray(open(os.path.join(MODELS, entry["file"]), "rb").read())
    data[-1] ^= 1
    (tmp_path / entry["file"]).write_bytes(bytes(data))
    with pytest.raises(UsageError, match=rf"Expected {entry['file']} with the sha256 {entry['sha256'][:12]}\.\.\. "
                                         r"named by .*manifest\.json but its bytes hash to [0-9a-f]{12}\.\.\. "
                                         r"\(a changed or partial file\)"):
        load_frozen(str(tmp_path), PACK)
    shutil.copy(os.path.join(MODELS, entry["file"]), tmp_path / entry["file"])
    assert load_frozen(str(tmp_path), PACK)[2] == entry["pack"]["fingerprint"]
