"""Each backward piece of deploy/backward.py against torch.autograd (float64, random data)."""
import pytest
import torch
import torch.nn.functional as F

from training.core import losses
from training.core.model import EPS
from training.deploy import backward as B

torch.manual_seed(0)
# model.py and losses.py compute in float32 whatever the input: their references are float32-exact.
F32 = 1e-6


def autograd(f, x, g):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(f(x), x, g)[0]


def close(a, b, tol=1e-9):
    assert a.shape == b.shape, (a.shape, b.shape)
    err = float((a - b).abs().max() / b.abs().max().clamp(min=1e-30))
    assert err <= tol, err


@pytest.mark.parametrize("p", [1, 4])
def test_reflection_padding(p):
    x = torch.randn(2, 3, 12, 16, dtype=torch.float64)
    g = torch.randn(2, 3, 12 + 2 * p, 16 + 2 * p, dtype=torch.float64)
    close(B.reflect_pad_grad(g, p), autograd(lambda t: F.pad(t, (p, p, p, p), mode="reflect"), x, g))


@pytest.mark.parametrize("k,pad", [(3, 1), (3, 0), (9, 0)])
def test_stride1_convolution(k, pad):
    x = torch.randn(2, 5, 14, 18, dtype=torch.float64)
    w = torch.randn(7, 5, k, k, dtype=torch.float64)
    y = F.conv2d(x, w, padding=pad)
    g = torch.randn_like(y)
    close(B.conv_input_grad(g, w, pad), autograd(lambda t: F.conv2d(t, w, padding=pad), x, g))


def test_stride2_convolution_on_a_reflection_padded_map():
    x = torch.randn(2, 4, 12, 16, dtype=torch.float64)
    w = torch.randn(6, 4, 3, 3, dtype=torch.float64)

    def f(t):
        return F.conv2d(F.pad(t, (1, 1, 1, 1), mode="reflect"), w, stride=2)
    g = torch.randn_like(f(x))
    close(B.reflect_pad_grad(B.conv_s2_input_grad(g, w), 1), autograd(f, x, g))


@pytest.mark.parametrize("h,w", [(12, 16), (13, 11)])
def test_relu_and_max_pool_as_in_vgg(h, w):
    """relu -> max-pool, odd sizes too: equal maxima (a flat patch, or ReLU zeros) as torch."""
    z = torch.randn(2, 8, h, w, dtype=torch.float64)
    z[:, :, :4, :4] = -1.0   # whole windows at 0 after the ReLU: four-way ties
    z[:, :, 4:8, 4:8] = 2.5   # four-way ties at a positive value (a saturated region)
    z[:, :3, 8:10, 0:2] = torch.tensor([[0.1, 0.7], [0.7, 0.7]], dtype=torch.float64)   # three-way

    def f(t):
        return F.max_pool2d(F.relu(t), 2)
    a = F.relu(z)
    g = torch.randn_like(f(z))
    ours = B.relu_grad(B.maxpool_grad(g, a, F.max_pool2d(a, 2)), a)
    close(ours, autograd(f, z, g))


def test_upsample_and_downscale():
    x = torch.randn(2, 3, 8, 12, dtype=torch.float64)
    g = torch.randn(2, 3, 16, 24, dtype=torch.float64)
    close(B.up2_grad(g), autograd(B.up2, x, g))
    close(B.up2_grad(g), autograd(lambda t: F.interpolate(t, scale_factor=2.0, mode="nearest"), x, g))
    g2 = torch.randn(2, 3, 4, 6, dtype=torch.float64)
    close(B.avgpool2_grad(g2), autograd(lambda t: losses.downscale(t, 2), x, g2))


def test_instance_norm_matches_the_model_and_its_gradients():
    from training.core.model import Norm, NormContext
    x = torch.randn(3, 6, 10, 14, dtype=torch.float64) * 3 + 1
    vec = torch.randn(1, 12, dtype=torch.float64)
    gamma, beta = vec[:, :6], vec[:, 6:]
    norm = Norm(6, "instance", 1).double()
    y_model = norm(x, NormContext(style_vector=vec))
    y, xhat, std = B.instance_norm(x, gamma, beta)
    close(y, y_model, F32)
    g = torch.randn_like(y)
    xr, vr = x.clone().requires_grad_(True), vec.clone().requires_grad_(True)
    dx_ref, dv_ref = torch.autograd.grad(norm(xr, NormContext(style_vector=vr)), (xr, vr), g)
    dx, dgam, dbet = B.instance_norm_grad(g, xhat, std, gamma)
    close(dx, dx_ref, F32)
    close(torch.cat([dgam, dbet]), dv_ref[0], F32)
    assert EPS == 1e-5   # the closed form uses std = sqrt(var + EPS), EPS inside the root


def test_tanh_output():
    z = torch.randn(2, 3, 6, 8, dtype=torch.float64) * 2
    g = torch.randn_like(z)
    close(B.tanh_out_grad(g, torch.tanh(z)), autograd(lambda t: 127.5 * (torch.tanh(t) + 1.0), z, g))


def test_total_variation_with_flat_regions():
    y = torch.rand(2, 3, 8, 12, dtype=torch.float64) * 255
    y[:, :, :3, :5] = 17.0   # zero differences: sign(0) = 0 as torch's abs backward
    gw = torch.tensor([0.7, -1.3], dtype=torch.float64)
    ref = autograd(lambda t: (losses.total_variation(t) * gw).sum(), y, None)
    close(B.total_variation_grad(y) * gw[:, None, None, None], ref)


def test_gram_and_its_relative_error():
    f = torch.rand(2, 5, 6, 7, dtype=torch.float64)
    t = losses.gram(torch.rand(1, 5, 9, 4, dtype=torch.float64))
    close(B.gram(f), losses.gram(f), F32)
    err, dg = B.relative_gram_error(B.gram(f), t)
    close(err, losses.relative_gram_error(losses.gram(f), t), F32)
    gw = torch.tensor([0.3, 2.0], dtype=torch.float64)
    ref = autograd(lambda x: (losses.relative_gram_error(losses.gram(x), t) * gw).sum(), f, None)
    close(B.gram_grad(f, dg * gw[:, None, None]), ref, F32)


def test_relative_feature_error():
    f, t = torch.rand(2, 4, 5, 6, dtype=torch.float64), torch.rand(2, 4, 5, 6, dtype=torch.float64)
    err, df = B.relative_feature_error(f, t)
    close(err, losses.relative_feature_error(f, t), F32)
    ref = autograd(lambda x: losses.relative_feature_error(x, t).sum(), f, None)
    close(df, ref, F32)
