"""int8 quantization (training/deploy/quantize.py) on a small random generator, run with onnxruntime-node."""
import json
import os

import numpy as np
import onnx
import pytest
import torch

from training.core.export import export_model, sha256
from training.core.model import Generator, GeneratorConfig
from training.deploy import quantize as q


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    torch.manual_seed(0)
    g = Generator(GeneratorConfig(width=8, res_blocks=2, norm="cond_instance", n_styles=3))
    with torch.no_grad():   # uneven per-channel scales, which is what equalization is for
        for name, p in g.named_parameters():
            if name.endswith(("gamma", "beta")):
                p.add_(torch.randn_like(p) * 0.5)
    d = tmp_path_factory.mktemp("q")
    refs = export_model(g.eval(), str(d), "tiny")
    return str(d / refs["single"]["file"])


def photos(n=2, h=40, w=56, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0, 255, (1, 3, h, w)).astype(np.float32) for _ in range(n)]


def test_equalization_keeps_the_function_and_evens_the_channels(single, tmp_path):
    model = onnx.load(single)
    convs = q.chosen_convs(model, "res")
    assert [c.name for c in convs] == ["/res.0/a/conv/conv/Conv", "/res.0/b/conv/conv/Conv",
                                       "/res.1/a/conv/conv/Conv", "/res.1/b/conv/conv/Conv"]
    cal = photos()
    before = q.calibrate(model, convs, cal, per_channel=True)
    eq, report = q.equalize(model, convs, before)
    # Every conv feeds an instance norm; the 'b' convs read ReLU(IN(.)) and get the input side too.
    assert all("output_scale_max" in report[c.name] for c in convs)
    assert ["input_scale_range" in report[c.name] for c in convs] == [False, True, False, True]
    out = tmp_path / "eq.onnx"
    onnx.save(eq, out)
    assert q.compare(single, str(out), photos(seed=1), [0, 1, 2])["max_abs_diff"] < 0.05
    after = q.calibrate(eq, q.chosen_convs(eq, "res"), cal, per_channel=True)
    for c in convs:   # output channels now span about the same range
        amax = np.maximum(np.abs(after[c.output[0]][0]), np.abs(after[c.output[0]][1]))
        spread0 = np.maximum(np.abs(before[c.output[0]][0]), np.abs(before[c.output[0]][1]))
        assert amax.min() / amax.max() > 0.99 * spread0.min() / spread0.max()
        assert amax.min() / amax.max() > 0.9


def test_quantized_graph_runs_int8_convs_close_to_float(single, tmp_path):
    model = onnx.load(single)
    convs = q.chosen_convs(model, "res")
    eq, _ = q.equalize(model, convs, q.calibrate(model, convs, photos(), per_channel=True))
    convs = q.chosen_convs(eq, "res")
    qm = q.quantize(eq, convs, q.calibrate(eq, convs, photos()))
    ops = [n.op_type for n in qm.graph.node]
    assert ops.count("QuantizeLinear") == 2 * len(convs)
    assert ops.count("DequantizeLinear") == 4 * len(convs)   # input, weights, bias, output
    int8 = [i for i in qm.graph.initializer if i.data_type == onnx.TensorProto.INT8 and len(i.dims) == 4]
    assert len(int8) == len(convs)
    floats = {i.name for i in qm.graph.initializer if i.data_type == onnx.TensorProto.FLOAT and len(i.dims) == 4}
    assert not any(c.input[1] in floats for c in convs)   # the float weights are gone
    out = tmp_path / "q.onnx"
    onnx.save(qm, out)
    d = q.compare(single, str(out), photos(seed=2), [0, 1, 2])
    assert 0 < d["mean_abs_diff"] < 6


def test_rejects_an_unknown_conv_set(single):
    with pytest.raises(ValueError, match="Expected one of res, res\\+up, all for convs but received 'some'"):
        q.chosen_convs(onnx.load(single), "some")


def _pack_entry():
    return {"id": "p", "variants": {}, "quality": {}, "graph": {},
            "styles": [{"id": "starry-night", "quality": {"content_distance": 1.0, "style_distance": 0.040}},
                       {"id": "great-wave", "quality": {"content_distance": 1.0, "style_distance": 0.050}}]}


def _eval(style_distances, sha="x"):
    files = ["starry_night_google.jpg", "wave.jpg"]
    return {"onnx_sha256": sha, "mean_content_distance": 1.0, "mean_style_distance": 0.05,
            "styles": [{"style": f[:-4], "file": f, "content_distance": 1.0, "style_distance": s}
                       for f, s in zip(files, style_distances, strict=False)]}   # fewer: a missing style


def test_distance_rule_against_the_float_pack():
    per_style, worst = q.distance_changes(_pack_entry(), _eval([0.041, 0.049]))
    assert [s["style_distance_change"] for s in per_style] == ["+2.5%", "-2.0%"]
    assert worst == pytest.approx(0.025)
    with pytest.raises(SystemExit, match="Expected all 2 styles"):
        q.distance_changes(_pack_entry(), {**_eval([0.04]), "styles": _eval([0.04])["styles"][:1]})


def test_record_refuses_a_worse_or_foreign_graph_and_changes_nothing(single, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    man = models / "manifest.json"
    man.write_text(json.dumps({"schema": 1, "models": [_pack_entry()]}))
    new = tmp_path / "new.onnx"
    new.write_bytes(open(single, "rb").read())
    out = models / "p-int8.onnx"
    report = {"convs": "res", "calibration": {}, "vs_float32": {}}
    ev = tmp_path / "eval.json"
    ev.write_text(json.dumps(_eval([0.0425, 0.05], sha=sha256(str(new)))))   # +6.25%: over the limit
    with pytest.raises(SystemExit, match=r"6\.[23]% worse than float32 on some style \(limit 5%\): not recorded"):
        q.record(str(new), str(out), str(ev), "p", report)
    ev.write_text(json.dumps(_eval([0.041, 0.05], sha="0" * 64)))
    with pytest.raises(SystemExit, match="but it evaluated 000000000000"):
        q.record(str(new), str(out), str(ev), "p", report)
    assert not out.exists() and json.loads(man.read_text())["models"][0]["variants"] == {}
    ev.write_text(json.dumps(_eval([0.041, 0.05], sha=sha256(str(new)))))
    q.record(str(new), str(out), str(ev), "p", report)
    entry = json.loads(man.read_text())["models"][0]
    assert entry["variants"]["int8"] == {"file": "p-int8.onnx", "sha256": sha256(str(out)),
                                         "bytes": os.path.getsize(out)}
    assert entry["quality"]["int8"]["worst_change"] == "+2.5%"
