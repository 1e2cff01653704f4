"""Write model entries into a Pastiche `manifest.json` (schema: electron/common/types.ts)."""
from __future__ import annotations

import json
import os
import re
from typing import Dict, List

from .export import io_spec
from .model import Generator


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def model_entry(model_id: str, g: Generator, refs: Dict[str, Dict], styles: List[Dict], **extra) -> Dict:
    """refs: {'fp32': {'full': ref, 'tiles': ref}, 'fp16'?: {...}} as returned by export_model."""
    entry = {"id": model_id,
             "kind": "multi-style" if g.cfg.norm == "cond_instance" else "single-style",
             **refs["fp32"]["full"],
             "io": io_spec(g),
             "receptiveField": g.receptive_field(),
             "variants": {k: refs["fp32"][k] for k in ("tiles", "single") if k in refs["fp32"]},
             "styles": [dict(s, index=i) for i, s in enumerate(styles)]}
    if "fp16" in refs:
        entry["variants"]["fp16"] = refs["fp16"]["full"]
        entry["variants"]["fp16-tiles"] = refs["fp16"]["tiles"]
    entry.update(extra)
    return entry


def write_manifest(path: str, models: List[Dict]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"schema": 1, "models": models}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
