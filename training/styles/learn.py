"""Learn a new style for a frozen pack: only its instance-norm scale/shift vector is trained.

    python3 -m training.styles.learn PAINTING --id ID [--title T] [--artist A] [--year Y]
        [--licence L | --public-domain TEXT] --minutes N --out DIR
        [--preview PHOTO --preview-out FILE.jpg [--preview-every 60]]

The pack's generator (weights from its fp32 ONNX in models/, no checkpoint needed) is frozen; the
vector starts from the built-in style whose stylization of a few training crops is closest to the
painting (lowest style loss), and is trained with the pack's own perceptual losses (VGG19 blocks
1-3, content + multi-scale Gram + TV) on the open photo set (data/content/open; never the Kodak
evaluation photos).

stdout: JSON lines. Progress {"step", "of", "elapsedS", "etaS", "loss", ...}; events
{"event": "init" | "preview" | "done" | "cancelled" | "error", ...}.
Exit codes: 0 written; 1 failed; 2 bad arguments or input; 3 PyTorch (or numpy, Pillow, onnx)
missing, with what to install on stderr; 130 / 143 stopped by SIGINT / SIGTERM. Whatever the exit,
only a complete DIR/ID.json is ever left (atomic rename); a cancelled or failed run removes its
temporary files and its preview.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

EXIT_FAILED, EXIT_USAGE, EXIT_RUNTIME = 1, 2, 3
INSTALL = ("PyTorch is needed to learn a style. Debian/Ubuntu: apt-get install python3-torch python3-numpy "
           "python3-pil python3-onnx; elsewhere: pip install torch numpy pillow onnx")

# Chosen by measurement on the 2-core CPU (docs/styles.md, `python3 -m training.styles.measure`).
DEFAULTS = dict(crop=192, batch=1, lr=0.02, content_weight=1.0, style_weight=3.0, tv_weight=0.5,
                style_size=512, scales=[1, 2], probe_crops=8, probe_size=128, scale_min=1e-3)


class Cancelled(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class UsageError(Exception):
    pass


def emit(rec: dict) -> None:
    print(json.dumps(rec), flush=True)


def parse_args(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("painting")
    p.add_argument("--id", required=True)
    p.add_argument("--title", default=None)
    p.add_argument("--artist", default="unknown")
    p.add_argument("--year", default="")
    p.add_argument("--source", default=None, help="where the painting comes from (default: its file name)")
    p.add_argument("--licence", default=None, help="the painting's licence, where it is not public domain")
    p.add_argument("--public-domain", default=None, help="its public-domain status, where it is")
    p.add_argument("--minutes", type=float, default=0, help="training time (wall clock)")
    p.add_argument("--steps", type=int, default=0, help="stop after this many steps instead (or as well)")
    p.add_argument("--out", required=True, help="folder for ID.json (created if missing)")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--models", default=os.path.join(here, "..", "..", "models"))
    p.add_argument("--pack", default="pastiche-pack16")
    p.add_argument("--content", default=None, help="content photo folder (default: shared data/content/open)")
    p.add_argument("--init", default="auto", help="built-in style id to start from, or 'auto' (nearest)")
    p.add_argument("--preview", default=None, help="a photo to stylize with the current vector")
    p.add_argument("--preview-out", default=None, help="where to write that preview (.jpg or .png)")
    p.add_argument("--preview-every", type=float, default=60.0, help="seconds")
    p.add_argument("--preview-size", type=int, default=512, help="long edge")
    for k in ("crop", "batch", "probe_crops", "probe_size"):
        p.add_argument("--" + k.replace("_", "-"), type=int, default=DEFAULTS[k])
    for k in ("lr", "content_weight", "style_weight", "tv_weight"):
        p.add_argument("--" + k.replace("_", "-"), type=float, default=DEFAULTS[k])
    p.add_argument("--style-size", type=int, default=DEFAULTS["style_size"])
    p.add_argument("--scales", type=int, nargs="+", default=DEFAULTS["scales"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--log-every", type=float, default=2.0, help="seconds between progress lines")
    a = p.parse_args(argv)
    if a.minutes <= 0 and a.steps <= 0:
        p.error("Expected a positive number for --minutes or --steps but received neither")
    if a.crop < 64 or a.crop % 4:
        p.error(f"Expected a multiple of 4 of at least 64 for --crop but received {a.crop}")
    if a.batch < 1:
        p.error(f"Expected a positive integer for --batch but received {a.batch}")
    if bool(a.preview) != bool(a.preview_out):
        p.error("Expected --preview and --preview-out together")
    if a.licence is None and a.public_domain is None:
        a.licence = "unknown (the painting's rights are for its user to check)"
    return a


class Run:
    """Files this run may leave: removed unless the run completes."""

    def __init__(self):
        self.temp = set()
        self.remove_on_fail = set()
        self.dirs_created = []

    def cleanup(self) -> None:
        for f in list(self.temp) + list(self.remove_on_fail):
            try:
                os.unlink(f)
            except FileNotFoundError:
                pass
        for d in reversed(self.dirs_created):
            try:
                os.rmdir(d)   # only if empty
            except OSError:
                pass


def atomic_save_image(run: Run, img, path: str) -> None:
    d = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1].lower()
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    run.temp.add(tmp)
    img.save(tmp, format="PNG" if ext == ".png" else "JPEG", **({} if ext == ".png" else {"quality": 90}))
    os.replace(tmp, path)
    run.temp.discard(tmp)


def load_frozen(models_dir: str, pack_id: str):
    """(generator in training form, manifest entry, fingerprint): weights from the pack's fp32 ONNX,
    whether it still holds the built-in styles' gamma/beta (weights graph) or not (vector graph).

    The fingerprint is the manifest's `pack.fingerprint`, never recomputed here: the training-form
    weights are derived from the stored ones by float sums (fast_graph.training_state_dict), whose
    last bit may differ from one CPU to another. The stored bytes are checked instead (the file's
    sha256 against the manifest's)."""
    import onnx
    import torch
    from onnx import numpy_helper

    from ..core.export import sha256
    from ..core.fast_graph import training_state_dict
    from ..core.model import Generator, GeneratorConfig
    man_path = os.path.join(models_dir, "manifest.json")
    with open(man_path) as f:
        entry = next((m for m in json.load(f)["models"] if m["id"] == pack_id), None)
    if entry is None:
        raise UsageError(f"Expected a pack id of {man_path} but received {pack_id!r}")
    graph = os.path.join(models_dir, entry["file"])
    if not os.path.isfile(graph):
        raise UsageError(f"Expected the pack's fp32 graph {entry['file']} (named by {man_path}) in {models_dir} "
                         "but it is not present")
    fp = (entry.get("pack") or {}).get("fingerprint")
    if not isinstance(fp, str) or not fp:
        raise UsageError(f"Expected pack.fingerprint in the entry of {pack_id} in {man_path} but it has none")
    if entry.get("sha256") and sha256(graph) != entry["sha256"]:
        raise UsageError(f"Expected {entry['file']} with the sha256 {entry['sha256'][:12]}... named by {man_path} "
                         f"but its bytes hash to {sha256(graph)[:12]}... (a changed or partial file)")
    m = onnx.load(graph)
    named = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
             for i in m.graph.initializer if i.name.startswith("g.")}
    sd = (training_state_dict(named) if any(k.startswith("g.g.") for k in named)
          else {k[2:]: v for k, v in named.items()})
    blocks = {k.split(".")[1] for k in sd if k.startswith("res.")}
    cfg = GeneratorConfig(width=sd["down.0.conv.conv.weight"].shape[0], res_blocks=len(blocks), norm="instance")
    g = Generator(cfg)
    missing, unexpected = g.load_state_dict({k: v for k, v in sd.items() if not k.endswith((".gamma", ".beta"))},
                                            strict=False)
    if unexpected or any(not k.endswith((".norm.gamma", ".norm.beta")) for k in missing):
        raise ValueError(f"Expected a Pastiche generator in {entry['file']} but received other weights")
    for p_ in g.parameters():
        p_.requires_grad_(False)
    return g.eval(), entry, fp


def builtin_vectors(models_dir: str, pack_id: str, fp: str, size: int):
    """{id: vector} of the built-in style files that belong to this pack."""
    from .vector import read_style
    d = os.path.join(models_dir, "styles")
    out = {}
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.endswith(".json"):
            doc, vec = read_style(os.path.join(d, name), pack_id, fp, size)
            out[doc["id"]] = vec
    if not out:
        raise UsageError(f"Expected built-in style files for {pack_id} in {d} but found none")
    return out


def style_loss_of(vgg, y, targets, scales):
    """Per-sample multi-scale style loss (sum over layers and scales), as in training."""
    from ..core.losses import multiscale_style_loss
    return multiscale_style_loss(vgg, y, targets, slice(0, 1), scales)


def step_loss(g, vgg, vec, x, targets, a):
    """(total loss, content [B], style [B]): the pack's perceptual loss for photos x under vec."""
    from ..core.losses import perceptual_loss
    from ..core.model import NormContext
    y = g(x, NormContext(style_vector=vec))
    # One painting: its targets (index 0) broadcast over the batch.
    parts = perceptual_loss(vgg, y, x, targets, slice(0, 1), scales=a.scales, content_weight=a.content_weight,
                            style_weight=a.style_weight, tv_weight=a.tv_weight)
    return parts.total, parts.content, parts.style


def nearest_builtin(g, vgg, vectors: dict, probes, targets, scales):
    """The built-in whose stylization of the probe crops has the lowest style loss to the painting."""
    import torch

    from ..core.model import NormContext
    scores = {}
    with torch.no_grad():
        for sid, vec in vectors.items():
            v = torch.from_numpy(vec).view(1, -1)
            y = g(probes, NormContext(style_vector=v))
            scores[sid] = float(style_loss_of(vgg, y, targets, scales).mean())
    best = min(scores, key=scores.get)
    return best, scores


def stylize(g, x, vec):
    import torch
    import torch.nn.functional as F

    from ..core.model import NormContext
    h, w = x.shape[2:]
    xp = F.pad(x, (0, (-w) % 4, 0, (-h) % 4), mode="reflect")
    with torch.no_grad():
        y = g(xp, NormContext(style_vector=vec.detach().view(1, -1)))
    return y[:, :, :h, :w].clamp(0, 255)


def to_image(y):
    from PIL import Image
    return Image.fromarray(y[0].permute(1, 2, 0).round().byte().numpy())


def train(a, run: Run, stop) -> int:
    import hashlib

    import numpy as np
    import torch

    from ..core.data import ContentCrops, default_shared_dir, list_images, load_rgb
    from ..core.train import style_targets
    from ..core.vgg import VGGFeatures
    from .vector import ID_RE, style_document, vector_size, write_style

    t_start = time.time()
    if not ID_RE.match(a.id):
        raise UsageError(f"Expected an id of 1-64 lowercase letters, digits and '-' for --id but received {a.id!r}")
    if not os.path.isfile(a.painting):
        raise UsageError(f"Expected a painting image file but received {a.painting!r} (no such file)")
    try:
        painting = load_rgb(a.painting)
    except Exception as e:   # Pillow's own message names the format problem
        raise UsageError(f"Expected a painting image (JPEG, PNG, ...) but could not read {a.painting!r}: {e}") from None
    if min(painting.shape[1:]) < 64:
        raise UsageError(f"Expected a painting of at least 64x64 pixels but received "
                         f"{painting.shape[2]}x{painting.shape[1]}")
    out_path = os.path.join(a.out, f"{a.id}.json")
    if os.path.exists(out_path) and not a.overwrite:
        raise UsageError(f"Expected a new style id but {out_path} exists (--overwrite replaces it)")
    preview_x = None
    if a.preview:
        try:
            preview_x = load_rgb(a.preview, max_long_edge=a.preview_size).unsqueeze(0).float()
        except Exception as e:
            raise UsageError(
                f"Expected a preview photo (JPEG, PNG, ...) but could not read {a.preview!r}: {e}") from None
    missing = []
    d = os.path.abspath(a.out)
    while not os.path.isdir(d):
        missing.append(d)
        d = os.path.dirname(d)
    os.makedirs(a.out, exist_ok=True)
    run.dirs_created = list(reversed(missing))
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    stop()

    g, entry, fp = load_frozen(a.models, a.pack)
    size = vector_size(g)
    vectors = builtin_vectors(a.models, a.pack, fp, size)
    vgg = VGGFeatures()
    content_dir = a.content or os.path.join(default_shared_dir(), "content", "open")
    files = list_images([content_dir])
    if not files:
        raise UsageError(f"Expected content photos in {content_dir} but found none")
    data = ContentCrops(files, a.crop, torch.device("cpu"), seed=a.seed)
    stop()
    with open(a.painting, "rb") as f:
        painting_sha = hashlib.sha256(f.read()).hexdigest()
    # The painting is given as a path: style_targets reads it at style_size like the pack's paintings.
    targets = {s: [t for t in ts] for s, ts in style_targets(vgg, [a.painting], a.style_size, a.scales,
                                                              torch.device("cpu")).items()}
    probes = data.centre_crops(a.probe_crops, a.probe_size)
    setup_s = time.time() - t_start
    stop()
    if a.init == "auto":
        init_id, scores = nearest_builtin(g, vgg, vectors, probes, targets, a.scales)
    elif a.init in vectors:
        init_id, scores = a.init, {}
    else:
        raise UsageError(f"Expected 'auto' or a built-in style id for --init but received {a.init!r}")
    emit({"event": "init", "setupS": round(setup_s, 1), "initS": round(time.time() - t_start - setup_s, 1),
          "style": init_id, "styleLoss": round(scores.get(init_id, float("nan")), 4) if scores else None,
          "candidates": {k: round(v, 4) for k, v in sorted(scores.items(), key=lambda kv: kv[1])}})
    vec = torch.nn.Parameter(torch.from_numpy(vectors[init_id].copy()).view(1, -1))
    opt = torch.optim.Adam([vec], lr=a.lr)

    def preview(step):
        if preview_x is None:
            return
        run.remove_on_fail.add(os.path.abspath(a.preview_out))
        atomic_save_image(run, to_image(stylize(g, preview_x, vec)), a.preview_out)
        emit({"event": "preview", "step": step, "file": a.preview_out})

    preview(0)
    budget = a.minutes * 60.0
    t0 = time.time()
    last_log = last_preview = t0
    step, ema = 0, None
    while True:
        stop()
        elapsed = time.time() - t0
        if (a.steps and step >= a.steps) or (budget and elapsed >= budget):
            break
        # Linear decay over the last 30 % (of steps or time, whichever is nearer its end).
        progress = max(step / a.steps if a.steps else 0.0, elapsed / budget if budget else 0.0)
        for group in opt.param_groups:
            group["lr"] = a.lr * min(1.0, (1.0 - progress) / 0.3)
        x = data.batch(a.batch)
        loss, content, style = step_loss(g, vgg, vec, x, targets, a)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():   # the scale stays positive: a zero or negative gamma is a dead channel
            k = size // 2
            vec[:, :k].clamp_(min=DEFAULTS["scale_min"])
        step += 1
        lv = float(loss)
        ema = lv if ema is None else 0.9 * ema + 0.1 * lv
        now = time.time()
        elapsed = now - t0
        per_step = elapsed / step
        if a.steps and budget:
            of = min(a.steps, step + int(max(0.0, budget - elapsed) / per_step))
        elif a.steps:
            of = a.steps
        else:
            of = step + int(max(0.0, budget - elapsed) / per_step)
        if now - last_log >= a.log_every or step == 1 or step == of:
            emit({"step": step, "of": of, "elapsedS": round(now - t_start, 1), "etaS": round((of - step) * per_step, 1),
                  "loss": round(ema, 4), "content": round(float(content.mean()), 4),
                  "style": round(float(style.mean()), 4)})
            last_log = now
        if preview_x is not None and now - last_preview >= a.preview_every:
            preview(step)
            last_preview = time.time()
    stop()
    train_s = time.time() - t0
    preview(step)
    meta = {"id": a.id, "title": a.title or os.path.splitext(os.path.basename(a.painting))[0], "artist": a.artist,
            "year": a.year, "source": a.source or os.path.basename(a.painting), "sourceSha256": painting_sha}
    meta["publicDomain" if a.public_domain else "licence"] = a.public_domain or a.licence
    meta["provenance"] = {
        "method": "training/styles/learn.py: the pack's generator frozen, only this style's instance-norm "
                  "scale/shift trained",
        "paintingSha256": painting_sha, "init": init_id, "steps": step, "crops": step * a.batch,
        "trainSeconds": round(train_s, 1), "wallSeconds": round(time.time() - t_start, 1),
        "settings": {"crop": a.crop, "batch": a.batch, "lr": a.lr, "lrDecay": "linear over the last 30%",
                     "contentWeight": a.content_weight, "styleWeight": a.style_weight, "tvWeight": a.tv_weight,
                     "styleSize": a.style_size, "scales": a.scales, "seed": a.seed, "threads": torch.get_num_threads()},
        "content": {"folder": os.path.basename(os.path.normpath(content_dir)), "photos": len(data)},
        "torch": torch.__version__}
    meta["quality"] = None
    doc = style_document(meta, a.pack, fp, vec.detach().view(-1).numpy().astype(np.float32))
    stop()
    write_style(out_path, doc)
    emit({"event": "done", "file": out_path, "steps": step, "trainSeconds": round(train_s, 1),
          "wallSeconds": round(time.time() - t_start, 1)})
    return 0


def main(argv=None) -> int:
    a = parse_args(argv)
    run = Run()
    got = []

    def on_signal(signum, _frame):
        got.append(signum)

    def stop():
        if got:
            raise Cancelled(got[0])

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        try:
            import numpy  # noqa: F401
            import onnx  # noqa: F401
            import PIL  # noqa: F401
            import torch  # noqa: F401
        except ImportError as e:
            print(f"{INSTALL} ({e})", file=sys.stderr)
            emit({"event": "error", "code": EXIT_RUNTIME, "message": INSTALL})
            return EXIT_RUNTIME
        return train(a, run, stop)
    except Cancelled as c:
        run.cleanup()
        emit({"event": "cancelled", "signal": str(c)})
        return 128 + c.signum
    except UsageError as e:
        run.cleanup()
        print(str(e), file=sys.stderr)
        emit({"event": "error", "code": EXIT_USAGE, "message": str(e)})
        return EXIT_USAGE
    except Exception as e:   # noqa: BLE001  (reported, then the same cleanup)
        run.cleanup()
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        emit({"event": "error", "code": EXIT_FAILED, "message": f"{type(e).__name__}: {e}"})
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
