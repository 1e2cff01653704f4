import torch

from training.core.model import Generator, GeneratorConfig, NormContext


def test_instance_norm_generator_shapes_and_range():
    g = Generator(GeneratorConfig(width=8, res_blocks=2)).eval()
    x = torch.rand(2, 3, 36, 52) * 255
    with torch.no_grad():
        y = g(x)
    assert y.shape == x.shape
    assert float(y.min()) >= 0 and float(y.max()) <= 255


def test_tiles_with_whole_image_stats_reproduce_full_pass():
    g = Generator(GeneratorConfig(width=8, res_blocks=2, norm="cond_instance", n_styles=3)).eval()
    x = torch.rand(1, 3, 40, 64) * 255
    style = torch.tensor([[0.2, 0.8, 0.0]])
    with torch.no_grad():
        y, stats = g.forward_with_stats(x, style)
        y2 = g.forward_tiles(x, stats, style)
    assert stats.shape == (2, g.stats_size)
    assert torch.allclose(y, y2, atol=1e-4)


def test_conditional_in_blend_mixes_parameters_and_styles_differ():
    torch.manual_seed(0)
    g = Generator(GeneratorConfig(width=8, res_blocks=1, norm="cond_instance", n_styles=2)).eval()
    with torch.no_grad():
        for m in g.modules():
            if hasattr(m, "gamma") and isinstance(m.gamma, torch.nn.Parameter):
                m.gamma.uniform_(0.5, 1.5)
                m.beta.normal_(0, 0.5)
    x = torch.rand(1, 3, 32, 32) * 255
    with torch.no_grad():
        a = g(x, NormContext(style=torch.tensor([[1.0, 0.0]])))
        b = g(x, NormContext(style=torch.tensor([[0.0, 1.0]])))
        mix = g(x, NormContext(style=torch.tensor([[0.5, 0.5]])))
    assert (a - b).abs().mean() > 1.0
    assert not torch.allclose(mix, a) and not torch.allclose(mix, b)


def test_instance_norm_discards_the_photo_contrast():
    """The paper's point: with IN the output does not depend on the input's contrast/brightness."""
    g = Generator(GeneratorConfig(width=8, res_blocks=1)).eval()
    x = torch.rand(1, 3, 32, 32) * 100 + 50
    low = (x - 100) * 0.5 + 100   # same photo, half the contrast
    with torch.no_grad():
        d_in = (g(x) - g(low)).abs().mean()
    gb = Generator(GeneratorConfig(width=8, res_blocks=1, norm="batch")).eval()
    with torch.no_grad():
        d_bn = (gb(x) - gb(low)).abs().mean()
    assert d_in < 0.5 and d_bn > 2 * d_in


def test_batch_norm_option_and_reflection_padding():
    g = Generator(GeneratorConfig(width=8, res_blocks=1, norm="batch"))
    pads = [m for m in g.modules() if isinstance(m, torch.nn.ReflectionPad2d)]
    assert len(pads) >= 7
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in g.modules())
