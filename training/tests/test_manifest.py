import hashlib
import json
import os

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.mark.parametrize("models_dir", ["models", os.path.join("test", "fixtures", "models")])
def test_manifest_files_exist_and_match_hashes(models_dir):
    d = os.path.join(ROOT, models_dir)
    man = json.load(open(os.path.join(d, "manifest.json")))
    assert man["schema"] == 1 and man["models"]
    ids = set()
    for m in man["models"]:
        refs = [m] + list(m["variants"].values())
        for ref in refs:
            path = os.path.join(d, ref["file"])
            assert os.path.getsize(path) == ref["bytes"], ref["file"]
            assert hashlib.sha256(open(path, "rb").read()).hexdigest() == ref["sha256"], ref["file"]
        assert m["kind"] in ("single-style", "multi-style")
        assert m["io"]["layout"] == "NCHW" and m["io"]["range"] == [0, 255]
        assert (m["io"]["styleWeights"] is not None) == (m["kind"] == "multi-style")
        for i, s in enumerate(m["styles"]):
            assert s["index"] == i
            for key in ("id", "title", "artist", "year", "publicDomain", "source"):
                assert s[key], (s, key)
            assert s["id"] not in ids
            ids.add(s["id"])


def test_builtin_pack_has_at_least_16_styles_with_provenance():
    man = json.load(open(os.path.join(ROOT, "models", "manifest.json")))
    styles = [s for m in man["models"] for s in m["styles"]]
    assert len(styles) >= 16
    pack = man["models"][0]
    assert pack["training"]["content_sets"] and pack["training"]["steps"] > 0
    assert pack["quality"]["parity_onnxruntime_node_vs_torch_fp32"]
    for needed in ("starry-night", "great-wave", "the-scream", "composition-vii", "turner-shipwreck", "udnie"):
        assert needed in {s["id"] for s in styles}
