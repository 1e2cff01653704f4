"""The shared perceptual loss (training/core/losses.py), on a small stand-in for VGG19 so it runs
without the shared weights."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from training.core import train
from training.core.losses import (
    STYLE_LAYERS,
    downscale,
    gram,
    multiscale_style_loss,
    perceptual_loss,
    relative_feature_error,
    relative_gram_error,
    total_variation,
)
from training.core.vgg import LAYERS

WEIGHTS = dict(content_weight=1.0, style_weight=4.0, tv_weight=0.5)


class TinyFeatures(nn.Module):
    """VGGFeatures' interface and layer layout (8 relu layers, pooling after the 2nd and 4th) at 4 channels."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.convs = nn.ModuleList([nn.Conv2d(3 if i == 0 else 4, 4, 3, padding=1) for i in range(len(LAYERS))])
        for p in self.parameters():
            p.requires_grad_(False)
        self.calls = 0   # forward passes, to see which features are reused

    def forward(self, rgb255, layers):
        self.calls += 1
        wanted, last = set(layers), max(LAYERS.index(n) for n in layers)
        h, feats = rgb255 / 255.0, []
        for i, conv in enumerate(self.convs):
            h = F.relu(conv(h))
            if LAYERS[i] in wanted:
                feats.append(h)
            if i == last:
                break
            if i in (1, 3):
                h = F.max_pool2d(h, 2)
        return feats


@pytest.fixture(scope="module")
def setup():
    vgg = TinyFeatures()
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(3, 3, 24, 24, generator=gen) * 255
    y = (torch.rand(3, 3, 24, 24, generator=gen) * 255).requires_grad_(True)
    paintings = torch.rand(2, 3, 32, 32, generator=gen) * 255
    with torch.no_grad():
        targets = {s: [gram(f) for f in vgg(downscale(paintings, s), STYLE_LAYERS)] for s in (1, 2)}
    return vgg, x, y, targets


def test_parts_are_per_sample_and_the_total_is_their_weighted_mean(setup):
    vgg, x, y, targets = setup
    idx = torch.tensor([1, 0, 1])
    parts = perceptual_loss(vgg, y, x, targets, idx, scales=[1, 2], **WEIGHTS)
    assert parts.total.shape == () and all(t.shape == (3,) for t in (parts.content, parts.style, parts.tv))
    assert torch.equal(parts.total, (1.0 * parts.content + 4.0 * parts.style + 0.5 * parts.tv).mean())
    # Each part from the primitives it is made of.
    fy, fx = vgg(y, ["relu2_2", "relu3_2"]), vgg(x, ["relu2_2", "relu3_2"])
    torch.testing.assert_close(parts.content, sum(relative_feature_error(a, b) for a, b in zip(fy, fx, strict=True)))
    style = sum(relative_gram_error(gram(f), targets[s][i][idx])
                for s in (1, 2) for i, f in enumerate(vgg(downscale(y, s), STYLE_LAYERS)))
    torch.testing.assert_close(parts.style, style)
    torch.testing.assert_close(parts.tv, total_variation(y))
    parts.total.backward()
    assert y.grad is not None and float(y.grad.abs().sum()) > 0
    y.grad = None


def test_each_sample_is_scored_against_its_own_style(setup):
    vgg, x, y, targets = setup
    a = perceptual_loss(vgg, y, x, targets, torch.tensor([0, 0, 0]), scales=[1, 2], **WEIGHTS)
    b = perceptual_loss(vgg, y, x, targets, torch.tensor([1, 1, 1]), scales=[1, 2], **WEIGHTS)
    mixed = perceptual_loss(vgg, y, x, targets, torch.tensor([0, 1, 0]), scales=[1, 2], **WEIGHTS)
    assert not torch.equal(a.style, b.style)
    assert torch.equal(mixed.style, torch.stack([a.style[0], b.style[1], a.style[2]]))
    assert torch.equal(mixed.content, a.content) and torch.equal(mixed.tv, a.tv)


def test_a_one_target_slice_equals_indexing_every_sample(setup):
    # Style learning scores a batch against one painting with slice(0, 1); the trainer indexes.
    vgg, x, y, targets = setup
    one = {s: [t[1:2] for t in ts] for s, ts in targets.items()}
    by_slice = perceptual_loss(vgg, y, x, one, slice(0, 1), scales=[1, 2], **WEIGHTS)
    by_index = perceptual_loss(vgg, y, x, one, torch.zeros(3, dtype=torch.long), scales=[1, 2], **WEIGHTS)
    for p, q in zip(by_slice, by_index, strict=True):
        assert torch.equal(p, q)


def test_scale_one_reuses_the_features_it_is_given(setup):
    vgg, x, y, targets = setup
    idx = torch.tensor([1, 0, 1])
    with torch.no_grad():
        fresh = multiscale_style_loss(vgg, y, targets, idx, [1, 2])
        full = vgg(y, STYLE_LAYERS)
        before = vgg.calls
        reused = multiscale_style_loss(vgg, y, targets, idx, [1, 2], full)
        assert vgg.calls == before + 1   # only the half-scale pass
        parts = perceptual_loss(vgg, y, x, targets, idx, scales=[1, 2], **WEIGHTS)
        assert vgg.calls == before + 1 + 3   # y at all layers, x at the content layers, y at half scale
    torch.testing.assert_close(reused, fresh)
    assert torch.equal(parts.style, reused)


def test_zero_for_the_photo_itself_a_flat_image_and_its_own_grams(setup):
    vgg, x, _, _ = setup
    flat = torch.full((2, 3, 24, 24), 128.0)
    with torch.no_grad():
        own = {s: [gram(f) for f in vgg(downscale(flat, s), STYLE_LAYERS)] for s in (1, 2)}
        parts = perceptual_loss(vgg, flat, flat, own, torch.tensor([0, 1]), scales=[1, 2], **WEIGHTS)
    assert torch.equal(parts.content, torch.zeros(2)) and torch.equal(parts.tv, torch.zeros(2))
    assert float(parts.style.abs().max()) < 1e-6 and float(parts.total) < 1e-5


def test_the_weights_scale_their_parts_only(setup):
    vgg, x, y, targets = setup
    idx = torch.tensor([1, 0, 1])
    with torch.no_grad():
        content_only = perceptual_loss(vgg, y, x, targets, idx, scales=[1, 2], content_weight=1.0, style_weight=0.0,
                                       tv_weight=0.0)
        tv_only = perceptual_loss(vgg, y, x, targets, idx, scales=[1, 2], content_weight=0.0, style_weight=0.0,
                                  tv_weight=2.0)
    assert torch.equal(content_only.total, content_only.content.mean())
    assert torch.equal(tv_only.total, (2.0 * tv_only.tv).mean())


def test_the_trainer_uses_the_shared_loss():
    assert train.perceptual_loss is perceptual_loss
