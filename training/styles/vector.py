"""The style-vector contract and the style file format.

Vector layout (float32, 2K numbers; K = the pack's `statsSize`, 800 for pastiche-pack16):
    vector[0:K]   gamma (the instance-norm scale) of every norm layer,
    vector[K:2K]  beta (the shift) of the same layers,
with the channels in the same column order as the graphs' `stats` input/output: the norm layers in
forward order (down.0, down.1, down.2, res.0.a, res.0.b, ..., res.4.b, up.0, up.1), each layer's
channels in order. As a [2, K] matrix it lines up with `stats` ([2, K]: mean row, std row).

A conditional-IN pack with style weights w ([S]) uses gamma = w @ Gamma and beta = w @ Beta, so
the vector of a blend is the same blend of the styles' vectors: sum_i w_i * vector_i.

Style file (models/styles/<id>.json, or a user folder), one JSON object:
    format "pastiche-style", version 1, id, title, artist, year, source, sourceSha256,
    publicDomain (or licence), provenance {...}, quality {...} or null,
    pack {id, fingerprint, vectorSize}, vector [2K numbers]
Numbers are printed as the shortest decimal that parses back (to float64, then rounded to float32,
as JavaScript's Float32Array does) to the same float32. `pack.fingerprint` is fingerprint() of the
frozen generator, so a vector made for another pack is refused rather than run.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..core.model import Generator, Norm

FORMAT = "pastiche-style"
VERSION = 1
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def norm_layers(g: Generator) -> List[Tuple[str, int]]:
    """(module name, channels) of every norm layer, in forward (= `stats` column) order."""
    layers = [(name, m.channels) for name, m in g.named_modules() if isinstance(m, Norm)]
    if not layers:
        raise ValueError("Expected a generator with instance-norm layers but found none")
    return layers


def layout(g: Generator) -> List[Dict]:
    """The vector layout as data (for the manifest): name, channels and gamma offset per layer."""
    out, c0 = [], 0
    for name, c in norm_layers(g):
        out.append({"layer": name, "channels": c, "offset": c0})
        c0 += c
    return out


def vector_size(g: Generator) -> int:
    return 2 * sum(c for _, c in norm_layers(g))


def pack_vectors(g: Generator) -> np.ndarray:
    """[S, 2K] float32: the vector of each of a conditional-IN pack's built-in styles."""
    mods = [m for _, m in g.named_modules() if isinstance(m, Norm)]
    with torch.no_grad():
        gamma = torch.cat([m.gamma for m in mods], dim=1)
        beta = torch.cat([m.beta for m in mods], dim=1)
    return torch.cat([gamma, beta], dim=1).float().numpy().astype(np.float32)


def blend(vectors: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """sum_i w_i * v_i, accumulated in float64 and rounded once to float32 (as the engine does)."""
    acc = np.zeros_like(np.asarray(vectors[0], np.float64))
    for v, w in zip(vectors, weights, strict=False):
        acc += float(w) * np.asarray(v, np.float64)
    return acc.astype(np.float32)


def fingerprint(g: Generator) -> str:
    """sha256 of the frozen weights (every parameter and buffer except the norms' gamma/beta), in
    name order: name, NUL, shape as 'a,b,c', NUL, float32 little-endian bytes. Independent of the
    file a pack ships as (fp32, fp16, int8 graphs carry the same fingerprint in the manifest).
    Computed once, when a pack is built; at run time the manifest's value is the pack's identity
    (learn.py: load_frozen), since weights derived by float arithmetic may differ in the last bit
    between CPUs."""
    h = hashlib.sha256()
    sd = g.state_dict()
    for name in sorted(sd):
        if name.endswith((".norm.gamma", ".norm.beta")):
            continue
        t = sd[name].detach().cpu().float().contiguous().numpy().astype("<f4")
        h.update(name.encode() + b"\0" + ",".join(map(str, t.shape)).encode() + b"\0")
        h.update(t.tobytes())
    return h.hexdigest()


def format_float32(x: float) -> str:
    """Shortest decimal that round-trips this float32 (through float64, as JSON readers parse)."""
    v = np.float32(x)
    if not np.isfinite(v):
        raise ValueError(f"Expected a finite number but received {x!r}")
    if v == 0:
        return "-0.0" if np.signbit(v) else "0"   # "-0" would parse as the integer 0
    s = np.format_float_positional(v, unique=True, trim="-") if abs(v) >= 1e-4 else \
        np.format_float_scientific(v, unique=True, trim="-")
    # never expected; a silent change of a style would be worse
    if np.float32(float(s)).view(np.uint32) != v.view(np.uint32):
        raise AssertionError(f"float32 {v!r} printed as {s} does not round-trip")
    return s


def style_document(meta: Dict, pack_id: str, pack_fingerprint: str, vector: np.ndarray) -> Dict:
    vec = np.asarray(vector, np.float32).reshape(-1)
    doc = {"format": FORMAT, "version": VERSION}
    doc.update({k: v for k, v in meta.items() if k not in ("format", "version", "pack", "vector")})
    doc["pack"] = {"id": pack_id, "fingerprint": pack_fingerprint, "vectorSize": int(vec.size)}
    doc["vector"] = vec
    return doc


def dumps(doc: Dict) -> str:
    """The style file's text: metadata indented, the vector 16 numbers a line (diffable, ~14 KB)."""
    body = {k: v for k, v in doc.items() if k != "vector"}
    text = json.dumps(body, indent=1, ensure_ascii=False)
    vec = [format_float32(x) for x in np.asarray(doc["vector"], np.float32).reshape(-1)]
    lines = [", ".join(vec[i:i + 16]) for i in range(0, len(vec), 16)]
    return text[:-2] + ',\n "vector": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def write_atomic(path: str, text: str) -> None:
    """Whole file or nothing: a temporary file beside it, fsync, then rename over."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp's 0600 would hide a style from other users
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_style(path: str, doc: Dict) -> None:
    validate(json.loads(dumps(doc)), path, doc["pack"]["id"], doc["pack"]["fingerprint"], doc["pack"]["vectorSize"])
    write_atomic(path, dumps(doc))


class StyleFileError(ValueError):
    pass


def validate(doc, where: str, pack_id: Optional[str] = None, pack_fingerprint: Optional[str] = None,
             size: Optional[int] = None) -> np.ndarray:
    """The vector of a parsed style file, or StyleFileError saying what is wrong with it."""
    def fail(msg: str):
        raise StyleFileError(f"{msg} in {where}")
    if not isinstance(doc, dict):
        fail(f"Expected a JSON object but received {type(doc).__name__}")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        fail(f"Expected format '{FORMAT}' version {VERSION} but received "
             f"{doc.get('format')!r} version {doc.get('version')!r}")
    sid = doc.get("id")
    if not isinstance(sid, str) or not ID_RE.match(sid):
        fail(f"Expected an id of 1-64 lowercase letters, digits and '-' but received {sid!r}")
    pack = doc.get("pack")
    if (not isinstance(pack, dict) or not isinstance(pack.get("id"), str)
            or not isinstance(pack.get("fingerprint"), str)):
        fail("Expected pack {id, fingerprint} but received " + json.dumps(pack)[:80])
    if pack_id is not None and (pack["id"] != pack_id or pack["fingerprint"] != pack_fingerprint):
        fail(f"Expected a style for pack {pack_id} (fingerprint {str(pack_fingerprint)[:12]}) but received one "
             f"for pack {pack['id']} (fingerprint {pack['fingerprint'][:12]})")
    vec = doc.get("vector")
    if not isinstance(vec, list):
        fail(f"Expected an array for vector but received {type(vec).__name__}")
    want = size if size is not None else pack.get("vectorSize")
    if len(vec) != want:
        fail(f"Expected {want} numbers for vector but received {len(vec)}")
    with np.errstate(over="ignore"):
        for i, v in enumerate(vec):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or not math.isfinite(float(np.float32(v))):
                fail(f"Expected a finite float32 at vector[{i}] but received {v!r}")
    return np.asarray(vec, np.float64).astype(np.float32)


def read_style(path: str, pack_id: Optional[str] = None, pack_fingerprint: Optional[str] = None,
               size: Optional[int] = None) -> Tuple[Dict, np.ndarray]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise StyleFileError(
            f"Expected JSON but received invalid text ({e.msg} at line {e.lineno}) in {path}") from None
    return doc, validate(doc, path, pack_id, pack_fingerprint, size)
