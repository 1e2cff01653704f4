"""Write the vector-input graphs of a shipped pack, its style files and a draft manifest entry, after
checking every new graph against the shipped one with onnxruntime-node.

    python3 -m training.styles.build [--models models] [--id pastiche-pack16] [--photos 3] [--size 384]

Writes models/<file>-vec*.onnx (the shipped graphs are left as they are), models/styles/<id>.json
(one per built-in style) and models/manifest-vector-draft.json; prints the parity report (also
saved as models/eval/vector-parity.json). Nothing is written if a new graph differs from
the shipped one by more than the limits below (0-255 scale) on any photo and style.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from typing import Dict, List

import numpy as np
import onnx
import torch

from ..core.data import default_shared_dir, list_images
from ..core.export import file_ref, load_onnx
from ..core.ort import ort_batch
from ..deploy.quantize import photo_array
from .graphs import INPUT, equalization_scales, export_vector_graphs, vectorize
from .vector import blend, dumps, fingerprint, layout, pack_vectors, style_document, validate, vector_size

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# Weights of the styles compared: three single styles and two blends.
MIXES = [{0: 1.0}, {6: 1.0}, {10: 1.0}, {0: 0.5, 1: 0.5}, {2: 0.3, 13: 0.7}]
# fp32: the same function, different summation order at most. fp16 and int8: one-hot styles give
# the same bytes; a blend's scale/shift is rounded to fp16 once from the float32 blend instead of
# being summed in fp16 inside the graph, which moves outputs by about the fp16 graph's own error
# against fp32 (the report shows both graphs' distance to the fp32 graph); in the int8 graph that
# flips the rounding of a few quantized activations, a few uint8 steps on rare pixels.
LIMITS = {"fp32": 0.01, "fp16": 2.0, "int8": 4.0}
MEAN_LIMIT = 0.05


def _weights(mix: Dict[int, float], n: int) -> np.ndarray:
    w = np.zeros((1, n), np.float32)
    for i, v in mix.items():
        w[0, i] = v
    return w


def weights_graphs(models: str, entry: dict) -> Dict[str, str]:
    """{variant key: file} of the pack's weights-input graphs (input `style`), the graphs this converts;
    SystemExit naming what is missing once the manifest has switched to the vector graphs or the
    weights-input files have been removed."""
    where = ("the weights-input graphs are in the repository's history before the switch to vector graphs "
             "(git log --diff-filter=D -- 'models/pastiche-pack16*.onnx'; restore them and the manifest entry "
             "that names them with git checkout <commit>^ -- <path>)")
    if "styleVector" in entry.get("io", {}) or "styleWeights" not in entry.get("io", {}):
        raise SystemExit(f"Expected a manifest entry for weights-input graphs (io.styleWeights) for {entry['id']} "
                         f"but {entry['file']} takes a style vector: nothing to convert; {where}")
    files = {"full": entry["file"], **{k: v["file"] for k, v in entry.get("variants", {}).items()}}
    missing = [f for f in files.values() if not os.path.isfile(os.path.join(models, f))]
    if missing:
        raise SystemExit(f"Expected the weights-input graphs this converts in {models} but "
                         f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not present; {where}")
    return files


def _run(model_path: str, feeds_per_job: List[Dict[str, np.ndarray]], d: str, tag: str) -> List[np.ndarray]:
    jobs = []
    for j, feeds in enumerate(feeds_per_job):
        job = {"feeds": {}, "out": os.path.join(d, f"{tag}-y{j}.bin")}
        for name, arr in feeds.items():
            f = os.path.join(d, f"{tag}-{j}-{name}.bin")
            np.ascontiguousarray(arr, np.float32).tofile(f)
            job["feeds"][name] = {"file": f, "dims": list(arr.shape)}
        jobs.append(job)
    dims = ort_batch(model_path, jobs)["dims"]
    return [np.fromfile(j["out"], np.float32).reshape(dm) for j, dm in zip(jobs, dims, strict=True)]


def parity(old_path: str, new_path: str, g, vectors: np.ndarray, photos: List[np.ndarray], tiles: bool,
           ref_path: str = "") -> Dict:
    """Old (weights) vs new (vector) graph over photos x MIXES; with ref_path (the fp32 graph of the
    same kind) also each one's distance to it, since a reduced-precision graph's blend moves."""
    n = vectors.shape[0]
    old_feeds, new_feeds = [], []
    for x in photos:
        for mix in MIXES:
            w = _weights(mix, n)
            v = blend([vectors[i] for i in mix], list(mix.values())).reshape(1, -1)
            of, nf = {"input": x, "style": w}, {"input": x, INPUT: v}
            if tiles:
                with torch.no_grad():
                    _, stats = g.forward_with_stats(torch.from_numpy(x), torch.from_numpy(w))
                of["stats"] = nf["stats"] = stats.numpy()
            old_feeds.append(of)
            new_feeds.append(nf)
    with tempfile.TemporaryDirectory() as d:
        ys_old = _run(old_path, old_feeds, d, "old")
        ys_new = _run(new_path, new_feeds, d, "new")
        ys_ref = _run(ref_path, old_feeds, d, "ref") if ref_path else None
    rows = []
    for j, (a, b) in enumerate(zip(ys_old, ys_new, strict=True)):
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        rows.append({"photo": j // len(MIXES), "style": {str(k): v for k, v in MIXES[j % len(MIXES)].items()},
                     "max_abs_diff": float(diff.max()), "mean_abs_diff": float(diff.mean()),
                     "identical": bool(np.array_equal(a, b))})
        if ys_ref is not None:
            rows[-1]["old_vs_fp32"] = float(np.abs(a - ys_ref[j]).max())
            rows[-1]["new_vs_fp32"] = float(np.abs(b - ys_ref[j]).max())
    single = [r for r in rows if len(r["style"]) == 1]
    blends = [r for r in rows if len(r["style"]) > 1]
    return {"runs": len(rows), "size": "x".join(map(str, photos[0].shape[2:][::-1])),
            "one_hot": {"max_abs_diff": max(r["max_abs_diff"] for r in single),
                        "mean_abs_diff": float(np.mean([r["mean_abs_diff"] for r in single])),
                        "identical_outputs": sum(r["identical"] for r in single), "of": len(single)},
            "blend": {"max_abs_diff": max(r["max_abs_diff"] for r in blends),
                      "mean_abs_diff": float(np.mean([r["mean_abs_diff"] for r in blends])),
                      "identical_outputs": sum(r["identical"] for r in blends), "of": len(blends),
                      **({"old_max_abs_diff_vs_fp32": max(r["old_vs_fp32"] for r in blends),
                          "new_max_abs_diff_vs_fp32": max(r["new_vs_fp32"] for r in blends)} if ref_path else {})}}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--id", default="pastiche-pack16")
    p.add_argument("--photos", type=int, default=3, help="Kodak photos for the parity runs")
    p.add_argument("--size", type=int, default=384, help="their long edge")
    p.add_argument("--report", default=os.path.join(ROOT, "models", "eval", "vector-parity.json"))
    a = p.parse_args(argv)
    man = json.load(open(os.path.join(a.models, "manifest.json")))
    entry = next((m for m in man["models"] if m["id"] == a.id), None)
    if entry is None:
        raise SystemExit(f"Expected a model id in manifest.json but received {a.id!r}")
    variants = weights_graphs(a.models, entry)
    g = load_onnx(os.path.join(a.models, entry["file"]))
    vectors = pack_vectors(g)
    fp = fingerprint(g)
    base = os.path.splitext(entry["file"])[0] + "-vec"
    kodak = list_images([os.path.join(default_shared_dir(), "eval", "kodak")])
    photos = [photo_array(kodak[i], a.size) for i in np.linspace(0, len(kodak) - 1, a.photos).round().astype(int)]
    report, new_files = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        refs = export_vector_graphs(g, tmp, base, weights_from=os.path.join(a.models, entry["file"]))
        new_files = {"full": refs["full"]["file"], "tiles": refs["tiles"]["file"], "single": refs["single"]["file"]}
        how = {k: "exported (PyTorch, training/styles/graphs.py) from the shipped fp32 weights" for k in new_files}
        for key, suffix in (("fp16", "-fp16"), ("fp16-tiles", "-fp16-tiles"), ("int8", "-int8")):
            if key not in variants:
                continue
            m = onnx.load(os.path.join(a.models, variants[key]))
            scales = equalization_scales(m, g) if key == "int8" else None
            name = f"{base}{suffix}.onnx"
            onnx.save(vectorize(m, g, scales), os.path.join(tmp, name))
            new_files[key] = name
            how[key] = f"{variants[key]} with its style MatMuls replaced by slices of the vector" + (
                f"; equalization scales of {int((scales != 1).sum())} vector entries as one constant Mul"
                if scales is not None else "")
        for key, new in new_files.items():
            kind = "int8" if key == "int8" else ("fp16" if key.startswith("fp16") else "fp32")
            ref = {"fp16": "full", "fp16-tiles": "tiles", "int8": "single"}.get(key)
            r = parity(os.path.join(a.models, variants[key]), os.path.join(tmp, new), g, vectors, photos,
                       tiles=key.endswith("tiles"), ref_path=os.path.join(a.models, variants[ref]) if ref else "")
            r.update(old=variants[key], new=new, how=how[key], limit=LIMITS[kind])
            report[key] = r
            print(json.dumps({key: {k: r[k] for k in ("one_hot", "blend")}}), flush=True)
            worst = max(r["one_hot"]["max_abs_diff"], r["blend"]["max_abs_diff"])
            if r["one_hot"]["mean_abs_diff"] > MEAN_LIMIT or r["blend"]["mean_abs_diff"] > MEAN_LIMIT:
                raise SystemExit(f"{new} differs from {variants[key]} by {r['blend']['mean_abs_diff']} on average "
                                 f"(limit {MEAN_LIMIT}); nothing written")
            if worst > LIMITS[kind]:
                raise SystemExit(
                    f"{new} differs from {variants[key]} by {worst} (limit {LIMITS[kind]}); nothing written")
        for new in new_files.values():
            shutil.copyfile(os.path.join(tmp, new), os.path.join(a.models, new))
    styles_dir = os.path.join(a.models, "styles")
    os.makedirs(styles_dir, exist_ok=True)
    quality_int8 = {s["id"]: s for s in entry["quality"].get("int8", {}).get("styles", [])}
    for s in entry["styles"]:
        meta = {"id": s["id"], "title": s["title"], "artist": s["artist"], "year": s["year"],
                "source": s["source"], "sourceSha256": s["sourceSha256"], "publicDomain": s["publicDomain"],
                "provenance": {"method": f"built-in style {s['index']} of the {a.id} conditional instance-norm pack",
                               "training": "models/manifest.json: models[id=" + a.id + "].training",
                               "paintingSha256": s["sourceSha256"]},
                "quality": dict(s["quality"], eval=entry["quality"]["eval"],
                                **({"int8": {k: quality_int8[s["id"]][k]
                                             for k in ("content_distance", "style_distance")}}
                                   if s["id"] in quality_int8 else {}))}
        doc = style_document(meta, a.id, fp, vectors[s["index"]])
        text = dumps(doc)
        back = validate(json.loads(text), s["id"], a.id, fp, vector_size(g))
        assert np.array_equal(back, vectors[s["index"]]), s["id"]   # float32 round trip, bit for bit
        with open(os.path.join(styles_dir, f"{s['id']}.json"), "w", encoding="utf-8") as f:
            f.write(text)
    draft = {k: v for k, v in entry.items() if k not in ("styles", "variants", "file", "sha256", "bytes", "io")}
    draft.update(file_ref(os.path.join(a.models, new_files["full"])))
    draft["io"] = {k: v for k, v in entry["io"].items() if k != "styleWeights"}
    draft["io"].update({"styleVector": INPUT, "styleVectorSize": vector_size(g)})
    draft["pack"] = {"fingerprint": fp, "vectorLayout": "gamma of every norm layer, then beta, in stats column order",
                     "layers": layout(g)}
    draft["variants"] = {k: file_ref(os.path.join(a.models, v)) for k, v in new_files.items() if k != "full"}
    draft["styles"] = {"dir": "styles", "builtin": [s["id"] for s in sorted(entry["styles"], key=lambda s: s["index"])]}
    draft["graph"] = dict(entry.get("graph", {}), styleVector="training/styles/graphs.py: "
                          "fp32 graphs exported from the shipped weights; fp16 and int8 graphs are the shipped "
                          "ones with style MatMuls replaced by slices (int8: equalization as a constant Mul)")
    draft["quality"] = dict(entry["quality"], parity_vector_vs_weights_graphs={
        k: {kk: r[kk] for kk in ("old", "new", "size", "runs", "one_hot", "blend")} for k, r in report.items()})
    with open(os.path.join(a.models, "manifest-vector-draft.json"), "w", encoding="utf-8") as f:
        json.dump({"schema": 1, "draft": "entry for models/manifest.json once the engine feeds style vectors",
                   "models": [draft]}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.makedirs(os.path.dirname(a.report), exist_ok=True)
    with open(a.report, "w") as f:
        json.dump({"pack": a.id, "photos": a.photos, "mixes": MIXES, "variants": report}, f, indent=1)
    print(json.dumps({"written": sorted(new_files.values()), "styles": len(entry["styles"])}))


if __name__ == "__main__":
    main()
