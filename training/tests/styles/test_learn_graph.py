"""The shipped learning graphs (models/<pack>-learn.onnx, -grams.onnx) through onnxruntime-node
against the Python learner: learn.py step_loss and torch.autograd.grad."""
import json
import os

import onnx
import pytest

from training.core.data import default_shared_dir
from training.core.export import sha256
from training.deploy.learn_graph import LEARN_OUTPUTS, gram_names

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
        m = onnx.load(path)
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
    assert os.path.getsize(os.path.join(MODELS, learn["graph"]["file"])) < 12 * 2 ** 20   # weights stored once


def test_onnxruntime_gradient_equals_autograd_of_the_learner():
    """Real crops (batch 1 at 192, batch 2 at 100: odd pooled sizes), a built-in and a random vector."""
    if MISSING:
        print(REASON)
        pytest.skip(REASON)
    from training.styles.build_learn import parity
    learn = learn_entry()
    r = parity(MODELS, "pastiche-pack16", os.path.join(MODELS, learn["graph"]["file"]),
               os.path.join(MODELS, learn["grams"]["file"]))
    print(json.dumps(r["worst"]), "gram", r["gram_max_rel"])
    assert r["gram_max_rel"] <= 1e-4
    for c in r["cases"]:
        assert c["grad_max_rel"] <= 1e-3, c
        assert c["loss_rel"] <= 1e-4, c
        assert c["content_rel"] <= 1e-4 and c["style_rel"] <= 1e-4, c
