"""The shipped learning graphs (models/<pack>-learn.onnx, -grams.onnx) through onnxruntime-node
against the Python learner: learn.py step_loss and torch.autograd.grad."""
import json
import os

import numpy as np
import onnx
import pytest
from onnx import TensorProto, numpy_helper

from training.core.data import default_shared_dir
from training.core.export import sha256
from training.core.vgg import _CONVS, load_tfjs_weights
from training.deploy.learn_graph import LEARN_OUTPUTS, gram_names
from training.deploy.vgg_external import SHARDS, check_shards, external_locations, learn_run_folder, vgg_refs

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODELS = os.path.join(ROOT, "models")
SHARED = default_shared_dir()
MISSING = [p for p in (os.path.join(SHARED, "vgg19"), os.path.join(SHARED, "content", "open"),
                       os.path.join(SHARED, "styles")) if not os.path.isdir(p)]
REASON = f"no shared data ({', '.join(MISSING)}): ../shared/data beside the checkout or PASTICHE_SHARED_DIR"
# Ordinary inference operators only: every onnxruntime provider runs them.
ALLOWED = {"Abs", "Add", "AveragePool", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv",
           "ConvTranspose", "DepthToSpace", "Div", "Equal", "Gather", "Greater", "MatMul", "MaxPool", "Mul",
           "Not", "And", "Or", "Pad", "Pow", "Reciprocal", "ReduceMean", "ReduceSum", "Relu", "Reshape", "Resize",
           "Shape", "Sign", "Slice", "Sqrt", "Sub", "Tanh", "Transpose", "Unsqueeze", "Squeeze", "Where",
           "Neg", "Flatten", "Expand"}


def learn_entry():
    man = json.load(open(os.path.join(MODELS, "manifest.json")))
    return next(m for m in man["models"] if m["id"] == "pastiche-pack16")["learn"]


def test_the_manifest_records_the_graphs_and_the_learner_settings():
    from training.styles.learn import DEFAULTS
    learn = learn_entry()
    for key in ("graph", "grams"):
        ref = learn[key]
        path = os.path.join(MODELS, ref["file"])
        assert os.path.getsize(path) == ref["bytes"] and sha256(path) == ref["sha256"]
        m = onnx.load(path, load_external_data=False)
        assert [i.name for i in m.graph.input] == ref["io"]["inputs"]
        assert [o.name for o in m.graph.output] == ref["io"]["outputs"]
        ops = {n.op_type for n in m.graph.node}
        assert ops <= ALLOWED, ops - ALLOWED
        assert {n.domain for n in m.graph.node} <= {"", "ai.onnx"}
    assert learn["graph"]["io"] == {"inputs": ["input", "style_vector", "loss_weights"] + gram_names([1, 2]),
                                    "outputs": LEARN_OUTPUTS}
    assert learn["grams"]["io"] == {"inputs": ["painting"], "outputs": gram_names([1, 2])}
    assert learn["lossWeights"] == [DEFAULTS["content_weight"], DEFAULTS["style_weight"], DEFAULTS["tv_weight"]]
    assert (learn["crop"], learn["batch"], learn["lr"], learn["styleSize"], learn["scales"], learn["scaleMin"]) == (
        DEFAULTS["crop"], DEFAULTS["batch"], DEFAULTS["lr"], DEFAULTS["style_size"], DEFAULTS["scales"],
        DEFAULTS["scale_min"])
    assert learn["adam"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert learn["crops"]["minScale"] == 0.55 and learn["crops"]["flip"] == 0.5
    assert os.path.getsize(os.path.join(MODELS, learn["graph"]["file"])) < 2.5 * 2 ** 20   # generator weights, once
    assert os.path.getsize(os.path.join(MODELS, learn["grams"]["file"])) < 64 * 2 ** 10   # no weights of its own


def test_the_graphs_reference_the_vgg_shards_instead_of_holding_them():
    learn = learn_entry()
    assert learn["vgg"] == vgg_refs() == [{"file": f"vgg19/group{i}-shard1of1", "bytes": n, "sha256": h}
                                          for i, (_, n, h) in enumerate(SHARDS, 1)]
    weights = None if MISSING else load_tfjs_weights(os.path.join(SHARED, "vgg19"))
    for key in ("graph", "grams"):
        m = onnx.load(os.path.join(MODELS, learn[key]["file"]), load_external_data=False)
        ext = external_locations(m)
        assert sorted(ext) == sorted(f"{c}/{w}" for c in _CONVS for w in ("kernel", "bias"))
        for conv, ref in zip(_CONVS, learn["vgg"], strict=True):
            kernel = next(t for t in m.graph.initializer if t.name == f"{conv}/kernel")
            kbytes = 4 * int(np.prod(kernel.dims))
            assert kernel.dims[:2] == [3, 3] and not kernel.raw_data   # HWIO, as stored
            assert ext[f"{conv}/kernel"] == {"location": ref["file"], "offset": "0", "length": str(kbytes)}
            bias = ext[f"{conv}/bias"]
            assert bias["location"] == ref["file"] and int(bias["offset"]) == kbytes
            assert kbytes + int(bias["length"]) == ref["bytes"]
        embedded = [t for t in m.graph.initializer if t.data_location != TensorProto.EXTERNAL]
        big = [numpy_helper.to_array(t) for t in embedded if len(t.raw_data) > 64 * 2 ** 10]
        assert key == "graph" or not big
        if weights:   # no copy of a VGG kernel in any layout (HWIO, OIHW, transposed, flipped)
            for k in (weights[f"{c}/kernel"] for c in _CONVS):
                forms = [k, k.transpose(3, 2, 0, 1), k.transpose(2, 3, 0, 1)]
                forms += [f[:, :, ::-1, ::-1] for f in forms[1:]]
                assert not any(a.shape == f.shape and np.array_equal(a, f) for a in big for f in forms)


def test_shards_of_another_size_or_content_are_refused(tmp_path, monkeypatch):
    from training.styles.build_learn import main
    with pytest.raises(ValueError, match=r"Expected the VGG19 weights .*group1-shard1of1 \(7168 bytes\) but it "
                                         r"is missing"):
        check_shards(str(tmp_path))
    (tmp_path / "group1-shard1of1").write_bytes(b"\0" * 100)
    with pytest.raises(ValueError, match=r"Expected 7168 bytes for .*group1-shard1of1 but received 100: not the "
                                         r"VGG19 weights the learning graphs reference"):
        check_shards(str(tmp_path))
    (tmp_path / "group1-shard1of1").write_bytes(b"\0" * 7168)
    want = SHARDS[0][2]
    with pytest.raises(ValueError, match=rf"Expected sha256 {want} for .*group1-shard1of1 but received [0-9a-f]{{64}}: "
                                         "not the VGG19 weights the learning graphs reference"):
        check_shards(str(tmp_path))
    monkeypatch.setenv("PASTICHE_VGG_DIR", str(tmp_path))   # the builder stops before writing anything
    with pytest.raises(SystemExit, match=rf"Expected sha256 {want} for .*group1-shard1of1"):
        main(["--models", str(tmp_path / "models"), "--no-parity"])


def test_onnxruntime_gradient_equals_autograd_of_the_learner():
    """Real crops (batch 1 at 192, batch 2 at 100: odd pooled sizes), a built-in and a random vector."""
    if MISSING:
        print(REASON)
        pytest.skip(REASON)
    from training.styles.build_learn import parity
    learn = learn_entry()
    with learn_run_folder(MODELS, learn, os.path.join(SHARED, "vgg19")) as d:
        r = parity(MODELS, "pastiche-pack16", os.path.join(d, learn["graph"]["file"]),
                   os.path.join(d, learn["grams"]["file"]))
    print(json.dumps(r["worst"]), "gram", r["gram_max_rel"])
    assert r["gram_max_rel"] <= 1e-4
    for c in r["cases"]:
        assert c["grad_max_rel"] <= 1e-3, c
        assert c["loss_rel"] <= 1e-4, c
        assert c["content_rel"] <= 1e-4 and c["style_rel"] <= 1e-4, c


def test_the_graph_module_equals_autograd_in_pytorch():
    """The module that is exported, run in PyTorch: its loss parts and gradient against autograd."""
    if MISSING:
        print(REASON)
        pytest.skip(REASON)
    import types

    import torch

    from training.core.vgg import VGGFeatures
    from training.deploy.learn_graph import GramsGraph, LearnGraph
    from training.styles.learn import DEFAULTS, load_frozen, step_loss
    torch.manual_seed(1)
    g, _, _ = load_frozen(MODELS, "pastiche-pack16")
    vgg = VGGFeatures()
    with torch.no_grad():
        grams = GramsGraph(vgg)(torch.rand(1, 3, 120, 90) * 255)
    targets = {1: list(grams[:4]), 2: list(grams[4:])}
    x = torch.rand(2, 3, 68, 92) * 255   # multiples of 4, not of 8: odd pooled sizes at scale 2
    x[:, :, :20, :30] = 255.0   # a flat, saturated patch: equal maxima in the max-pools
    v = torch.cat([torch.rand(1, 800) + 0.5, torch.randn(1, 800)], 1).requires_grad_(True)
    a = types.SimpleNamespace(**DEFAULTS)
    loss, content, style = step_loss(g, vgg, v, x, targets, a)
    (want,) = torch.autograd.grad(loss, v)
    with torch.no_grad():
        total, c, s, _, grad = LearnGraph(g, vgg)(x, v, torch.tensor([1.0, 3.0, 0.5]), *grams)
    assert abs(float(total) - float(loss)) <= 1e-5 * abs(float(loss))
    assert torch.allclose(c, content, rtol=1e-5) and torch.allclose(s, style, rtol=1e-5)
    assert float((grad - want).abs().max() / want.abs().max()) <= 1e-5
