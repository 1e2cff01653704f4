import hashlib
import json
import os

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def styles_of(d, m):
    """A model's styles: its manifest entries, or, for a vector-input pack, its style files in order."""
    if isinstance(m["styles"], list):
        return m["styles"]
    out = []
    for i, sid in enumerate(m["styles"]["builtin"]):
        with open(os.path.join(d, m["styles"]["dir"], sid + ".json"), encoding="utf-8") as f:
            out.append(dict(json.load(f), index=i))
    return out


@pytest.mark.parametrize("models_dir", ["models", os.path.join("test", "fixtures", "models")])
def test_manifest_files_exist_and_match_hashes(models_dir):
    d = os.path.join(ROOT, models_dir)
    man = json.load(open(os.path.join(d, "manifest.json")))
    assert man["schema"] == 1 and man["models"]
    ids = set()
    for m in man["models"]:
        refs = [m] + list(m["variants"].values()) + [m["learn"][k] for k in ("graph", "grams") if "learn" in m]
        for ref in refs:
            path = os.path.join(d, ref["file"])
            assert os.path.getsize(path) == ref["bytes"], ref["file"]
            assert hashlib.sha256(open(path, "rb").read()).hexdigest() == ref["sha256"], ref["file"]
        assert m["kind"] in ("single-style", "multi-style")
        assert m["io"]["layout"] == "NCHW" and m["io"]["range"] == [0, 255]
        style_input = m["io"].get("styleWeights") or m["io"].get("styleVector")
        assert (style_input is not None) == (m["kind"] == "multi-style")
        for i, s in enumerate(styles_of(d, m)):
            assert s["index"] == i
            for key in ("id", "title", "artist", "year", "publicDomain", "source"):
                assert s[key], (s, key)
            assert s["id"] not in ids
            ids.add(s["id"])


def test_builtin_pack_has_at_least_16_styles_with_provenance():
    man = json.load(open(os.path.join(ROOT, "models", "manifest.json")))
    styles = [s for m in man["models"] for s in styles_of(os.path.join(ROOT, "models"), m)]
    assert len(styles) >= 16
    pack = man["models"][0]
    assert pack["training"]["content_sets"] and pack["training"]["steps"] > 0
    assert pack["quality"]["parity_onnxruntime_node_vs_torch_fp32"]
    for needed in ("starry-night", "great-wave", "the-scream", "composition-vii", "turner-shipwreck", "udnie"):
        assert needed in {s["id"] for s in styles}
