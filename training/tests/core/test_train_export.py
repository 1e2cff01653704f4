import json
import os

import pytest
import torch

from training.core import train
from training.core.data import default_shared_dir
from training.core.export import export_model, load_checkpoint
from training.core.parity import check
from training.core.vgg import VGGFeatures, default_vgg_dir

SHARED = default_shared_dir()   # ../shared/data beside the checkout, or PASTICHE_SHARED_DIR
needs_shared = pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "vgg19")),
                                  reason="no shared data (VGG19 weights, photos): ../shared/data beside the checkout "
                                         "or PASTICHE_SHARED_DIR")


@needs_shared
def test_vgg_loads_blocks_1_to_3():
    vgg = VGGFeatures(default_vgg_dir())
    feats = vgg(torch.rand(1, 3, 32, 32) * 255, ["relu1_2", "relu2_2", "relu3_4"])
    assert [f.shape[1] for f in feats] == [64, 128, 256]
    assert [f.shape[2] for f in feats] == [32, 16, 8]


@needs_shared
def test_a_few_training_steps_checkpoint_resume_and_export(tmp_path):
    out = str(tmp_path / "run")
    common = ["--styles", "wave.jpg", "the_scream.jpg", "--norm", "cond_instance", "--width", "4", "--res-blocks", "1",
              "--batch", "2", "--crop", "48", "--style-size", "96", "--amp", "off", "--device", "cpu",
              "--log-every", "1",
              "--content", os.path.join(SHARED, "content", "open"), "--out", out]
    s = train.train(train.parse_args(common + ["--steps", "3"]))
    assert s["steps"] == 3 and s["images"] == 6
    log = [json.loads(line) for line in open(os.path.join(out, "log.jsonl"))]
    assert all(torch.isfinite(torch.tensor(r["loss"])) for r in log)
    s2 = train.train(train.parse_args(common + ["--steps", "5", "--resume"]))
    assert s2["steps"] == 5 and s2["images"] == 10
    g = load_checkpoint(os.path.join(out, "model.pt"))
    refs = export_model(g, str(tmp_path / "onnx"), "m")
    assert set(refs) == {"full", "tiles", "single"}
    # onnxruntime-node (what the app runs) against PyTorch, at two sizes
    for r in check(g, str(tmp_path / "onnx" / refs["full"]["file"]), sizes=((48, 64), (100, 132))):
        assert r["max_abs_diff"] < 1e-2, r
    for r in check(g, str(tmp_path / "onnx" / refs["tiles"]["file"]), sizes=((48, 64),), tiles=True):
        assert r["max_abs_diff"] < 1e-2, r
    for r in check(g, str(tmp_path / "onnx" / refs["single"]["file"]), sizes=((48, 64), (100, 132))):
        assert r["max_abs_diff"] < 1e-2, r
