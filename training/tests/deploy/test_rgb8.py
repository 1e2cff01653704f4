"""8-bit RGB I/O (training/deploy/rgb8.py): the wrapped graph gives the float graph's output as the app
would round it, run through onnxruntime-node."""
import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto

from training.core.export import export_model
from training.core.model import Generator, GeneratorConfig
from training.core.ort import ort_run
from training.deploy import rgb8


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    torch.manual_seed(0)
    g = Generator(GeneratorConfig(width=8, res_blocks=1, norm="cond_instance", n_styles=2))
    d = tmp_path_factory.mktemp("rgb8")
    refs = export_model(g.eval(), str(d), "tiny")
    return {k: str(d / refs[k]["file"]) for k in ("single", "full")}


def app_rounding(y: np.ndarray) -> np.ndarray:
    """electron/engine/pixels.ts tensorToRgb: clamp to 0..255, round half up."""
    return np.floor(np.clip(y, 0, 255) + 0.5)


def test_wrapped_graph_takes_and_returns_bytes(graphs, tmp_path):
    w = rgb8.wrap(onnx.load(graphs["single"]))
    assert rgb8.takes_rgb8(w)
    x, y = w.graph.input[0], w.graph.output[0]
    assert (x.name, x.type.tensor_type.elem_type) == ("input", TensorProto.UINT8)
    assert (y.name, y.type.tensor_type.elem_type) == ("output", TensorProto.UINT8)
    assert [d.dim_value or d.dim_param for d in x.type.tensor_type.shape.dim][3] == 3


@pytest.mark.parametrize("h,w", [(40, 56), (36, 44)])
def test_same_bytes_as_the_float_graph_rounded(graphs, tmp_path, h, w):
    path = str(tmp_path / "wrapped.onnx")
    onnx.save(rgb8.wrap(onnx.load(graphs["single"])), path)
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (1, 3, h, w)).astype(np.float32)
    style = np.array([[0.3, 0.7]], np.float32)
    ref = app_rounding(ort_run(graphs["single"], {"input": x, "style": style}))
    # tools/ort-batch.mjs feeds an 8-bit graph the same photo as bytes and returns float NCHW.
    got = ort_run(path, {"input": x, "style": style})
    assert got.shape == ref.shape == (1, 3, h, w)
    np.testing.assert_array_equal(got, ref)


def test_refuses_graphs_it_cannot_wrap(graphs):
    with pytest.raises(ValueError, match=r"Expected one output but received \['output', 'stats'\]"):
        rgb8.wrap(onnx.load(graphs["full"]))
    once = rgb8.wrap(onnx.load(graphs["single"]))
    with pytest.raises(ValueError, match="already takes 8-bit RGB"):
        rgb8.wrap(once)
    message = r"Expected a graph with range \[0, 255\] for rgb8 I/O but received \[-1.0, 1.0\]"
    with pytest.raises(ValueError, match=message):
        rgb8.wrap(onnx.load(graphs["single"]), (-1.0, 1.0))
