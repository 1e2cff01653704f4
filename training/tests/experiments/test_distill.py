import os

import pytest
import torch

from training.core.data import default_shared_dir
from training.core.model import Generator, GeneratorConfig, NormContext
from training.core.paths import MODELS_DIR
from training.experiments import distill

SHARED = default_shared_dir()   # ../shared/data beside the checkout, or PASTICHE_SHARED_DIR


def test_student_keeps_the_chosen_blocks_and_dropping_none_is_the_teacher():
    torch.manual_seed(0)
    t = Generator(GeneratorConfig(width=4, res_blocks=4, norm="cond_instance", n_styles=3)).eval()
    s = distill.student_from(t, (0, 2))
    assert s.cfg.res_blocks == 2
    assert torch.equal(s.res[1].a.conv.conv.weight, t.res[2].a.conv.conv.weight)
    x, st = torch.rand(1, 3, 32, 32) * 255, torch.tensor([[0.0, 1.0, 0.0]])
    with torch.no_grad():
        assert torch.equal(distill.student_from(t, (0, 1, 2, 3))(x, NormContext(style=st)), t(x, NormContext(style=st)))


def test_pick_blocks_prefers_dropping_a_block_that_does_nothing():
    torch.manual_seed(0)
    t = Generator(GeneratorConfig(width=4, res_blocks=3, norm="cond_instance", n_styles=2)).eval()
    with torch.no_grad():   # block 1 adds exactly zero: dropping it is free
        t.res[1].b.norm.gamma.zero_()
        t.res[1].b.norm.beta.zero_()
    keep, l1 = distill.pick_blocks(t, 2, torch.rand(2, 3, 32, 32) * 255, torch.eye(2))
    assert keep == (0, 2) and l1 < 1e-4


def test_random_styles_are_one_hot_or_two_style_blends():
    import random
    st = distill.random_styles(200, 5, random.Random(0))
    assert torch.allclose(st.sum(1), torch.ones(200))
    assert ((st > 0).sum(1) <= 2).all() and ((st > 0).sum(1) == 2).any()


@pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "content")),
                    reason="no shared data (../shared/data beside the checkout or PASTICHE_SHARED_DIR)")
def test_a_few_distillation_steps_on_the_shipped_pack_write_a_checkpoint(tmp_path):
    if not os.path.isfile(os.path.join(MODELS_DIR, "pastiche-pack16.onnx")):
        # the teacher must hold the built-in styles' gamma/beta, which only the weights-input graph has
        reason = ("weights-input graph pastiche-pack16.onnx not in models/ (replaced by the vector graphs; "
                  "in the repository's history before the switch)")
        print(reason)
        pytest.skip(reason)
    distill.main([os.path.join(MODELS_DIR, "pastiche-pack16.onnx"), "--blocks", "4", "--steps", "2", "--batch", "2",
                  "--crop", "48", "--content", os.path.join(SHARED, "content", "open"), "--out", str(tmp_path)])
    ck = torch.load(tmp_path / "model.pt")
    assert ck["config"]["res_blocks"] == 4 and len(ck["styles"]) == 16 and ck["images"] == 4
