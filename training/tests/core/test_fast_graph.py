"""The exported graph is an exact rewrite of the trained generator (training/core/fast_graph.py)."""
import json

import pytest
import torch

from training.core.export import export_model, load_onnx
from training.core.fast_graph import FastGenerator, training_state_dict
from training.core.model import Generator, GeneratorConfig
from training.deploy import regraph


def _random_generator(norm="cond_instance", n_styles=3, width=8, res_blocks=1, seed=0):
    torch.manual_seed(seed)
    g = Generator(GeneratorConfig(width=width, res_blocks=res_blocks, norm=norm, n_styles=n_styles))
    with torch.no_grad():   # non-trivial affine parameters, so a mixed-up channel order would show
        for name, p in g.named_parameters():
            if name.endswith(("gamma", "beta")):
                p.add_(torch.randn_like(p) * 0.3)
    if norm == "batch":
        g.train()
        with torch.no_grad():
            g(torch.rand(2, 3, 32, 32) * 255)   # running statistics other than 0/1
    return g.eval()


@pytest.mark.parametrize("stride", [2, 4])
@pytest.mark.parametrize("size", [(36, 52), (64, 96)])
def test_rewrite_matches_the_trained_generator_with_and_without_given_stats(stride, size):
    g = _random_generator()
    f = FastGenerator(g, out_stride=stride).eval()
    x = torch.rand(1, 3, *size) * 255
    style = torch.tensor([[0.2, 0.5, 0.3]])
    with torch.no_grad():
        y0, s0 = g.forward_with_stats(x, style)
        y1, s1 = f.forward_with_stats(x, style)
        y2 = f.forward_tiles(x, s0, style)
        y3 = f.forward_single(x, style)
    assert torch.allclose(s0, s1, atol=1e-5)
    assert (y0 - y3).abs().max() < 1e-3
    assert (y0 - y1).abs().max() < 1e-3
    assert (y0 - y2).abs().max() < 1e-3
    # the border rows and columns are where a wrong padding would show
    assert (y0[..., :2, :] - y1[..., :2, :]).abs().max() < 1e-3
    assert (y0[..., :, -2:] - y1[..., :, -2:]).abs().max() < 1e-3


@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_rewrite_holds_for_single_style_and_batch_norm_models(norm):
    g = _random_generator(norm=norm, n_styles=1, res_blocks=2)
    x = torch.rand(2, 3, 40, 44) * 255
    with torch.no_grad():
        assert (g(x) - FastGenerator(g)(x)).abs().max() < 1e-3
        assert (g(x)[:1] - FastGenerator(g).forward_single(x[:1])).abs().max() < 1e-3


def test_rewritten_weights_invert_exactly():
    g = _random_generator(res_blocks=2)
    f = FastGenerator(g, out_stride=2)
    named = {f"g.{k}": v for k, v in f.state_dict().items()}
    back = training_state_dict(named)
    ref = g.state_dict()
    assert set(back) == set(ref)
    for k in ref:
        assert torch.allclose(back[k], ref[k], atol=1e-6), k


def test_regraph_rewrites_a_shipped_model_in_place_and_records_parity(tmp_path):
    g = _random_generator()
    models = tmp_path / "models"
    refs = export_model(g, str(models), "m", rewrite=False)   # a training-formulation graph, as first shipped
    entry = {"id": "m", **refs["full"], "variants": {"tiles": refs["tiles"]}, "quality": {}}
    (models / "manifest.json").write_text(json.dumps({"schema": 1, "models": [entry]}))
    before = load_onnx(str(models / "m.onnx")).state_dict()
    regraph.main(["--models", str(models), "--id", "m"])
    man = json.loads((models / "manifest.json").read_text())["models"][0]
    assert man["sha256"] != entry["sha256"] and "graph" in man
    assert all(r["max_abs_diff"] < 1e-2 for r in man["quality"]["parity_onnxruntime_node_vs_torch_fp32"])
    assert all(r["max_abs_diff"] < 1e-2 for r in man["quality"]["parity_tiles_graph_vs_torch_fp32"])
    assert all(r["max_abs_diff"] < 1e-2 for r in man["quality"]["parity_single_graph_vs_torch_fp32"])
    assert (models / man["variants"]["single"]["file"]).is_file()
    after = load_onnx(str(models / "m.onnx")).state_dict()   # reads the rewritten graph back
    assert all(torch.allclose(before[k], after[k], atol=1e-5) for k in before)
    with pytest.raises(SystemExit, match="Expected a model id"):
        regraph.main(["--models", str(models), "--id", "nope"])
