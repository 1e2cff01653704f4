"""Styles as data (training/styles/): the vector contract, style files, and the style trainer."""
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

import numpy as np
import onnx
import pytest
import torch

from training.core.data import default_shared_dir
from training.core.export import export_model, load_onnx
from training.core.model import Generator, GeneratorConfig, NormContext
from training.core.ort import ort_run
from training.styles import vector as V
from training.styles.graphs import equalization_scales, export_vector_graphs, vectorize

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODELS = os.path.join(ROOT, "models")
SHARED = default_shared_dir()
needs_shared = pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "vgg19")),
                                  reason="no shared data (VGG19 weights, photos): "
                                         "../shared/data beside the checkout or PASTICHE_SHARED_DIR")
# The weights-input graphs (input `style`) the vector graphs were converted from; once the manifest
# names the vector graphs they may be gone from models/ (they stay in the repository's history).
OLD_GRAPHS = ["pastiche-pack16.onnx", "pastiche-pack16-tiles.onnx", "pastiche-pack16-single.onnx",
              "pastiche-pack16-fp16.onnx", "pastiche-pack16-fp16-tiles.onnx", "pastiche-pack16-int8.onnx"]


def need_old_graphs(*names):
    missing = [n for n in names if not os.path.isfile(os.path.join(MODELS, n))]
    if missing:
        reason = (f"weights-input graph {', '.join(missing)} not in models/ "
                  "(replaced by the vector graphs; in the repository's history before the switch)")
        print(reason)
        pytest.skip(reason)


MIXES = [{0: 1.0}, {2: 1.0}, {0: 0.5, 1: 0.5}, {0: 0.2, 1: 0.3, 2: 0.5}]


def weights(mix, n):
    w = np.zeros((1, n), np.float32)
    for i, v in mix.items():
        w[0, i] = v
    return w


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.manual_seed(0)
    g = Generator(GeneratorConfig(width=4, res_blocks=1, norm="cond_instance", n_styles=3)).eval()
    with torch.no_grad():   # trained packs have distinct styles; random ones make the test meaningful
        for m in g.modules():
            if hasattr(m, "gamma"):
                m.gamma.uniform_(0.5, 1.5)
                m.beta.uniform_(-0.5, 0.5)
    d = tmp_path_factory.mktemp("vec")
    old = export_model(g, str(d), "w")
    new = export_vector_graphs(g, str(d), "v")
    return g, {k: str(d / r["file"]) for k, r in old.items()}, {k: str(d / r["file"]) for k, r in new.items()}


def test_vector_layout_follows_the_stats_columns(tiny):
    g = tiny[0]
    lay = V.layout(g)
    assert [entry["layer"] for entry in lay][:4] == ["down.0.norm", "down.1.norm", "down.2.norm", "res.0.a.norm"]
    assert V.vector_size(g) == 2 * g.stats_size
    x = torch.rand(1, 3, 32, 48) * 255
    _, stats = g.forward_with_stats(x, torch.tensor([[1.0, 0, 0]]))
    assert stats.shape[1] * 2 == V.vector_size(g)
    vec = V.pack_vectors(g)[1]
    k = V.vector_size(g) // 2
    for entry in lay:   # gamma then beta, each layer at its stats offset
        mod = dict(g.named_modules())[entry["layer"]]
        o, c = entry["offset"], entry["channels"]
        assert np.array_equal(vec[o:o + c], mod.gamma[1].detach().numpy())
        assert np.array_equal(vec[k + o:k + o + c], mod.beta[1].detach().numpy())


@pytest.mark.parametrize("mix", MIXES)
def test_vector_equals_weights_in_pytorch(tiny, mix):
    g = tiny[0]
    x = torch.rand(1, 3, 32, 48) * 255
    vecs = V.pack_vectors(g)
    v = torch.from_numpy(V.blend([vecs[i] for i in mix], list(mix.values()))).view(1, -1)
    with torch.no_grad():
        a = g(x, NormContext(style=torch.from_numpy(weights(mix, 3))))
        b = g(x, NormContext(style_vector=v))
    assert (a - b).abs().max() < 1e-3


@pytest.mark.parametrize("kind", ["full", "single", "tiles"])
def test_vector_graphs_equal_weights_graphs_in_onnxruntime(tiny, kind):
    g, old, new = tiny
    torch.manual_seed(1)
    x = (torch.rand(1, 3, 40, 56) * 255).numpy()
    vecs = V.pack_vectors(g)
    edited = vectorize(onnx.load(old[kind]), g)
    edited_path = old[kind].replace(".onnx", "-edited.onnx")
    onnx.save(edited, edited_path)
    for mix in MIXES:
        w = weights(mix, 3)
        v = V.blend([vecs[i] for i in mix], list(mix.values())).reshape(1, -1)
        fo, fn = {"input": x, "style": w}, {"input": x, "style_vector": v}
        if kind == "tiles":
            _, stats = g.forward_with_stats(torch.from_numpy(x), torch.from_numpy(w))
            fo["stats"] = fn["stats"] = stats.detach().numpy()
        ya = ort_run(old[kind], fo)
        for path in (new[kind], edited_path):   # exported, and the weights graph edited in place
            yb = ort_run(path, fn)
            assert np.abs(ya - yb).max() < 1e-2, (kind, mix, path)
            if len(mix) == 1 and path == edited_path:
                assert np.array_equal(ya, yb)   # a one-hot style slices out exactly the same numbers


def test_equalization_scales_are_recovered_and_folded(tiny, tmp_path):
    """An int8-style graph whose norms carry per-channel scales s: one style file still serves it."""
    g, old, _ = tiny
    m = onnx.load(old["single"])
    rng = np.random.default_rng(0)
    s = {}
    for init in m.graph.initializer:
        if init.name.endswith("res.0.a.norm.gamma") or init.name.endswith("res.0.a.norm.beta"):
            arr = onnx.numpy_helper.to_array(init).astype(np.float32)
            s.setdefault("res", rng.uniform(0.3, 1.0, arr.shape[1]).astype(np.float32))
            init.CopyFrom(onnx.numpy_helper.from_array((arr * s["res"][None, :]).astype(np.float32), init.name))
    scales = equalization_scales(m, g)
    assert (scales != 1).sum() == 2 * len(s["res"])
    path, weights_path = str(tmp_path / "eq.onnx"), str(tmp_path / "eq-weights.onnx")
    onnx.save(vectorize(m, g, scales), path)
    onnx.save(m, weights_path)
    x = (torch.rand(1, 3, 40, 56) * 255).numpy()
    vecs = V.pack_vectors(g)
    for mix in MIXES[:2]:   # the unscaled vector of a built-in style gives the scaled graph's output
        ya = ort_run(weights_path, {"input": x, "style": weights(mix, 3)})
        vec = V.blend([vecs[i] for i in mix], list(mix.values())).reshape(1, -1)
        yb = ort_run(path, {"input": x, "style_vector": vec})
        assert np.array_equal(ya, yb)


SHIPPED = [("pastiche-pack16.onnx", "pastiche-pack16-vec.onnx"),
           ("pastiche-pack16-fp16.onnx", "pastiche-pack16-vec-fp16.onnx"),
           ("pastiche-pack16-int8.onnx", "pastiche-pack16-vec-int8.onnx")]


@pytest.fixture(scope="module")
def pack():
    """The conditional-IN pack with its built-in styles' gamma/beta: only the weights-input graph has them."""
    need_old_graphs("pastiche-pack16.onnx")
    g = load_onnx(os.path.join(MODELS, "pastiche-pack16.onnx"))
    return g, V.pack_vectors(g), V.fingerprint(g)


@pytest.fixture(scope="module")
def pack_models(tmp_path_factory):
    """A models folder whose manifest names a graph that is present: models/ itself, or, where the
    manifest still names the removed weights-input graph, the vector draft entry beside links to the
    vector graph and the style files."""
    man = json.load(open(os.path.join(MODELS, "manifest.json")))["models"][0]
    if os.path.isfile(os.path.join(MODELS, man["file"])):
        return MODELS
    draft = json.load(open(os.path.join(MODELS, "manifest-vector-draft.json")))
    d = tmp_path_factory.mktemp("vector-models")
    (d / "manifest.json").write_text(json.dumps(draft))
    for name in (draft["models"][0]["file"], "styles"):
        os.symlink(os.path.join(MODELS, name), d / name)
    print(f"{man['file']} not in models/: the pack's weights from {draft['models'][0]['file']}")
    return str(d)


@pytest.fixture(scope="module")
def frozen(pack_models):
    """(frozen generator, fingerprint) from whichever fp32 graph is present."""
    from training.styles.learn import load_frozen
    g, _, fp = load_frozen(pack_models, "pastiche-pack16")
    return g, fp


@pytest.mark.parametrize("old,new", SHIPPED)
def test_shipped_vector_graphs_give_the_shipped_outputs(pack, old, new):
    need_old_graphs(old)
    g, vecs, _ = pack
    x = (torch.rand(1, 3, 64, 96) * 255).round().numpy()
    for mix in ({3: 1.0}, {0: 0.5, 1: 0.5}):
        w = weights(mix, 16)
        v = V.blend([vecs[i] for i in mix], list(mix.values())).reshape(1, -1)
        ya = ort_run(os.path.join(MODELS, old), {"input": x, "style": w})
        yb = ort_run(os.path.join(MODELS, new), {"input": x, "style_vector": v})
        limit = 1e-2 if "fp16" not in new and "int8" not in new else 4.0
        if len(mix) == 1:   # a built-in style: the same bytes
            assert np.array_equal(ya, yb), (new, mix)
        assert np.abs(ya - yb).max() <= limit, (new, mix)


def vector_manifest():
    """The manifest with the vector-graph entry: models/manifest.json once it names the vector graph,
    else the draft entry beside it."""
    man = json.load(open(os.path.join(MODELS, "manifest.json")))
    if man["models"][0]["io"].get("styleVector"):
        return man
    return json.load(open(os.path.join(MODELS, "manifest-vector-draft.json")))


def builtin_ids():
    man = json.load(open(os.path.join(MODELS, "manifest.json")))["models"][0]
    styles = man["styles"]
    if isinstance(styles, dict):   # a vector-graph entry lists the built-ins by id, in index order
        return list(enumerate(styles["builtin"]))
    return [(s["index"], s["id"]) for s in styles]


def test_builtin_style_files_fit_the_shipped_pack(frozen):
    """Every built-in style file names the pack's fingerprint, whichever graph holds the weights."""
    _, fp = frozen
    draft = vector_manifest()["models"][0]
    assert draft["pack"]["fingerprint"] == fp and draft["io"]["styleVectorSize"] == 1600
    ids = builtin_ids()
    assert len(ids) == 16
    for _, sid in ids:
        doc, _ = V.read_style(os.path.join(MODELS, "styles", f"{sid}.json"), "pastiche-pack16", fp, 1600)
        for key in ("title", "artist", "year", "source", "publicDomain", "provenance", "quality"):
            assert doc[key], (sid, key)


def test_builtin_style_files_are_the_pack_styles(pack):
    g, vecs, fp = pack
    for index, sid in builtin_ids():
        _, vec = V.read_style(os.path.join(MODELS, "styles", f"{sid}.json"), "pastiche-pack16", fp, 1600)
        assert np.array_equal(vec, vecs[index]), sid   # float32 bits survive the JSON text


def write(tmp_path, doc, name="s.json", raw=None):
    p = tmp_path / name
    p.write_text(raw if raw is not None else V.dumps(doc))
    return str(p)


@pytest.fixture
def good():
    return V.style_document({"id": "mine", "title": "T", "artist": "A", "year": "", "licence": "own"},
                            "pastiche-pack16", "ab" * 32, np.linspace(0.5, 1.5, 1600, dtype=np.float32))


def test_a_good_style_file_round_trips(tmp_path, good):
    doc, vec = V.read_style(write(tmp_path, good), "pastiche-pack16", "ab" * 32, 1600)
    assert np.array_equal(vec, good["vector"]) and doc["id"] == "mine"


def test_corrupt_style_files_are_refused_by_name(tmp_path, good):
    fp = "ab" * 32
    short = dict(good, vector=good["vector"][:1599])
    with pytest.raises(V.StyleFileError, match=r"Expected 1600 numbers for vector but received 1599 in .*short\.json"):
        V.read_style(write(tmp_path, short, "short.json"), "pastiche-pack16", fp, 1600)
    text = V.dumps(good).replace("1.5\n", "NaN\n")
    assert "NaN" in text
    with pytest.raises(V.StyleFileError,
                       match=r"Expected a finite float32 at vector\[1599\] but received nan in .*nan\.json"):
        V.read_style(write(tmp_path, None, "nan.json", text), "pastiche-pack16", fp, 1600)
    big = V.dumps(good).replace("1.5\n", "1e39\n")
    with pytest.raises(V.StyleFileError, match=r"vector\[1599\] but received 1e\+39"):
        V.read_style(write(tmp_path, None, "big.json", big), "pastiche-pack16", fp, 1600)
    other = dict(good, pack={"id": "pastiche-pack16", "fingerprint": "cd" * 32, "vectorSize": 1600})
    with pytest.raises(V.StyleFileError,
                       match=r"Expected a style for pack pastiche-pack16 \(fingerprint abababababab\) "
                             r"but received one for pack pastiche-pack16 \(fingerprint cdcdcdcdcdcd\)"):
        V.read_style(write(tmp_path, other, "other.json"), "pastiche-pack16", fp, 1600)
    with pytest.raises(V.StyleFileError, match=r"Expected JSON but received invalid text .* in .*cut\.json"):
        V.read_style(write(tmp_path, None, "cut.json", V.dumps(good)[:500]), "pastiche-pack16", fp, 1600)
    with pytest.raises(V.StyleFileError, match=r"Expected an id of 1-64 lowercase .* but received 'Bad Id'"):
        V.read_style(write(tmp_path, dict(good, id="Bad Id"), "id.json"), "pastiche-pack16", fp, 1600)


def test_float32_printing_round_trips_bit_for_bit():
    rng = np.random.default_rng(0)
    xs = np.concatenate([rng.standard_normal(5000).astype(np.float32) * 10.0 ** rng.integers(-9, 4, 5000),
                         np.array([0.0, -0.0, 1.0, np.float32(0.1), np.finfo(np.float32).tiny], np.float32)]
                        ).astype(np.float32)
    back = np.array([np.float32(json.loads(V.format_float32(x))) for x in xs], np.float32)
    assert np.array_equal(back.view(np.uint32), xs.view(np.uint32))


def learn_cmd(tmp_path, models, *extra):
    return [sys.executable, "-m", "training.styles.learn", os.path.join(SHARED, "styles", "cezanne.jpg"),
            "--models", models, "--id", "cezanne-tiny", "--out", str(tmp_path / "out" / "styles"),
            "--crop", "64", "--batch", "1",
            "--probe-size", "64", "--probe-crops", "1", "--style-size", "128", "--log-every", "0", *extra]


@needs_shared
def test_a_few_real_training_steps_on_a_tiny_crop(tmp_path, pack_models, frozen):
    t = time.time()
    r = subprocess.run(learn_cmd(tmp_path, pack_models, "--steps", "4", "--lr", "0.05"), cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    progress = [line for line in lines if "step" in line and "event" not in line]
    assert [p["step"] for p in progress] == [1, 2, 3, 4] and all(p["of"] == 4 for p in progress)
    assert all(np.isfinite(p["loss"]) and p["etaS"] >= 0 for p in progress)
    init = next(line for line in lines if line.get("event") == "init")
    assert len(init["candidates"]) == 16 and init["style"] == min(init["candidates"], key=init["candidates"].get)
    _, fp = frozen
    out = tmp_path / "out" / "styles" / "cezanne-tiny.json"
    doc, vec = V.read_style(str(out), "pastiche-pack16", fp, 1600)
    start = json.load(open(os.path.join(MODELS, "styles", f"{init['style']}.json")))["vector"]
    assert not np.array_equal(vec, np.asarray(start, np.float32))   # it learned something
    assert doc["provenance"]["steps"] == 4 and doc["provenance"]["init"] == init["style"]
    assert os.listdir(out.parent) == ["cezanne-tiny.json"]
    print(f"tiny training run: {time.time() - t:.1f} s")


@needs_shared
def test_the_style_trainer_scores_with_the_shared_perceptual_loss():
    """One painting's targets (slice 0:1) broadcast over the batch, through training/core/losses.py."""
    import argparse

    from training.core.losses import STYLE_LAYERS, downscale, gram, multiscale_style_loss, perceptual_loss
    from training.core.vgg import VGGFeatures
    from training.styles.learn import DEFAULTS, step_loss, style_loss_of
    torch.manual_seed(0)
    vgg = VGGFeatures()
    g = Generator(GeneratorConfig(width=4, res_blocks=1, norm="instance")).eval()
    for p_ in g.parameters():
        p_.requires_grad_(False)
    vec = torch.nn.Parameter(torch.rand(1, V.vector_size(g)) + 0.5)
    x, painting = torch.rand(2, 3, 32, 32) * 255, torch.rand(1, 3, 40, 48) * 255
    a = argparse.Namespace(**{k: DEFAULTS[k] for k in ("scales", "content_weight", "style_weight", "tv_weight")})
    with torch.no_grad():
        targets = {s: [gram(f) for f in vgg(downscale(painting, s), STYLE_LAYERS)] for s in a.scales}
    loss, content, style = step_loss(g, vgg, vec, x, targets, a)
    loss.backward()
    assert content.shape == style.shape == (2,) and float(vec.grad.abs().sum()) > 0
    y = g(x, NormContext(style_vector=vec)).detach()
    parts = perceptual_loss(vgg, y, x, targets, slice(0, 1), scales=a.scales, content_weight=a.content_weight,
                            style_weight=a.style_weight, tv_weight=a.tv_weight)
    assert torch.equal(loss.detach(), parts.total) and torch.equal(content.detach(), parts.content)
    assert torch.equal(style.detach(), parts.style)
    with torch.no_grad():
        torch.testing.assert_close(style_loss_of(vgg, y, targets, a.scales),
                                   multiscale_style_loss(vgg, y, targets, torch.zeros(2, dtype=torch.long), a.scales))


def test_missing_pytorch_says_what_to_install(tmp_path):
    fake = tmp_path / "fake"
    (fake / "torch").mkdir(parents=True)
    (fake / "torch" / "__init__.py").write_text("raise ImportError('No module named torch')\n")
    env = dict(os.environ, PYTHONPATH=f"{fake}{os.pathsep}{ROOT}")
    r = subprocess.run([sys.executable, "-m", "training.styles.learn", "x.jpg", "--id", "x", "--steps", "1", "--out",
                        str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 3
    assert "apt-get install python3-torch python3-numpy python3-pil" in r.stderr
    assert json.loads(r.stdout.splitlines()[-1])["event"] == "error"
    assert not (tmp_path / "o").exists()


@needs_shared
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_cancelled_training_leaves_nothing_behind(tmp_path, pack_models, sig):
    photo = os.path.join(SHARED, "eval", "kodak", sorted(os.listdir(os.path.join(SHARED, "eval", "kodak")))[0])
    preview = tmp_path / "preview.jpg"
    p = subprocess.Popen(learn_cmd(tmp_path, pack_models, "--minutes", "10", "--preview", photo,
                                   "--preview-out", str(preview), "--preview-every", "0", "--preview-size", "64"),
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        deadline = time.time() + 90
        while time.time() < deadline:   # wait until it is training and has written a preview
            ready, _, _ = select.select([p.stdout], [], [], 1.0)
            if ready:
                line = p.stdout.readline()
                if not line:
                    break
                seen.append(json.loads(line))
                if "step" in seen[-1] and seen[-1].get("event") is None and preview.exists():
                    break
        assert preview.exists(), seen
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 128 + sig, err[-2000:]
    assert json.loads(out.splitlines()[-1]) == {"event": "cancelled", "signal": signal.Signals(sig).name}
    assert sorted(os.listdir(tmp_path)) == []   # no style file, no preview, no temporary, no created folder


def test_the_trainer_loads_the_pack_from_either_graph(pack, tmp_path):
    """Once the manifest names the vector graph (no gamma/beta inside), the frozen weights and
    their fingerprint are the same."""
    from training.styles.learn import load_frozen
    g, _, fp = pack
    draft = vector_manifest()
    (tmp_path / "manifest.json").write_text(json.dumps(draft))
    os.symlink(os.path.join(MODELS, draft["models"][0]["file"]), tmp_path / draft["models"][0]["file"])
    for models in (MODELS, str(tmp_path)):
        frozen, entry, fp2 = load_frozen(models, "pastiche-pack16")
        assert fp2 == fp
        x = torch.rand(1, 3, 32, 48) * 255
        v = torch.from_numpy(V.pack_vectors(g)[4]).view(1, -1)
        with torch.no_grad():
            a = g(x, NormContext(style=torch.from_numpy(weights({4: 1.0}, 16))))
            b = frozen(x, NormContext(style_vector=v))
        assert torch.equal(a, b)


def test_the_trainer_names_a_missing_pack_graph(tmp_path):
    from training.styles.learn import UsageError, load_frozen
    man = json.load(open(os.path.join(MODELS, "manifest.json")))
    (tmp_path / "manifest.json").write_text(json.dumps(man))
    graph = re.escape(man["models"][0]["file"])
    with pytest.raises(UsageError, match=rf"Expected the pack's fp32 graph {graph} \(named by .*manifest"
                                         r"\.json\) in .* but it is not present"):
        load_frozen(str(tmp_path), "pastiche-pack16")


def test_build_says_the_weights_input_graphs_are_not_present(tmp_path):
    """build converts the weights-input graphs: without them it names what is missing and where it is."""
    from training.styles import build
    man = json.load(open(os.path.join(MODELS, "manifest.json")))
    draft = vector_manifest()
    for name, doc in (("weights", man), ("vector", draft)):
        d = tmp_path / name
        d.mkdir()
        (d / "manifest.json").write_text(json.dumps(doc))
        with pytest.raises(SystemExit) as e:
            build.main(["--models", str(d), "--report", str(d / "r.json")])
        msg = str(e.value)
        assert "weights-input graphs" in msg and "history before the switch" in msg, msg
        if "styleWeights" in doc["models"][0]["io"]:
            assert f"{doc['models'][0]['file']}, " in msg and "are not present" in msg, msg
        else:
            assert f"{doc['models'][0]['file']} takes a style vector" in msg, msg
        assert os.listdir(d) == ["manifest.json"]   # nothing written
