"""The built-in pack's paintings (files in ../shared/data/styles) and the style ids the app shows for
them; a shipped pack's paintings in style-index order."""
from __future__ import annotations

import json
import os
from typing import Dict, List, Optional

from .paths import MODELS_DIR

STYLE_IDS = {
    "starry_night_google.jpg": "starry-night", "wave.jpg": "great-wave", "the_scream.jpg": "the-scream",
    "composition_vii.jpg": "composition-vii", "the_shipwreck_of_the_minotaur.jpg": "turner-shipwreck",
    "udnie.jpg": "udnie", "edtaonisl.jpg": "edtaonisl", "water-lilies-1919-2.jpg": "water-lilies",
    "monet-charing_cross_bridge.jpg": "charing-cross-bridge", "vg_wheat_field.jpg": "wheat-field-cypresses",
    "vangogh-starry_night_over_the_rhone.png": "starry-night-rhone",
    "degas-the_dance_foyer_at_the_opera.jpg": "dance-foyer", "gauguin-te_fare.jpg": "te-fare",
    "Robert_Delaunay_1906_Portrait.jpg": "delaunay-metzinger", "fuchun.jpg": "fuchun-mountains",
    "japanese_flower_sakai_hoitsu.jpg": "cherry-blossom-screen",
}


def painting_files(entry: Dict) -> List[str]:
    """Painting file names of a manifest entry's styles, in style-index order."""
    by_id = {v: k for k, v in STYLE_IDS.items()}
    return [by_id[s["id"]] for s in sorted(entry["styles"], key=lambda s: s["index"])]


def pack_style_files(pack_id: str, manifest: Optional[str] = None) -> List[str]:
    """Painting file names of a shipped pack's styles (models/manifest.json by default)."""
    with open(manifest or os.path.join(MODELS_DIR, "manifest.json")) as f:
        entry = next((m for m in json.load(f)["models"] if m["id"] == pack_id), None)
    if entry is None:
        raise SystemExit(f"No model '{pack_id}' in models/manifest.json")
    return painting_files(entry)
