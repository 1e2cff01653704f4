"""Training data: content photos (random crops with scale jitter) and style images."""
from __future__ import annotations

import io
import json
import os
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageCms

from .paths import SHARED_DATA_DIR

IMAGE_EXT = (".jpg", ".jpeg", ".png")


def default_shared_dir() -> str:
    return os.environ.get("PASTICHE_SHARED_DIR", SHARED_DATA_DIR)


def list_images(folders: Sequence[str]) -> List[str]:
    files: List[str] = []
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith(IMAGE_EXT):
                files.append(os.path.join(folder, name))
    return files


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(im: Image.Image) -> Image.Image:
    """RGB as a colour-managed viewer shows it, and as the app's sharp (libvips) decodes it: an embedded
    ICC profile (Adobe RGB, Display P3, a CMYK press profile...) is converted to sRGB. Without a usable
    profile the values are taken as sRGB, as PIL's convert('RGB') does. Reading Adobe RGB values as
    sRGB would give a learner, or an evaluation, other colours than the painting the user sees."""
    icc = im.info.get("icc_profile")
    if not icc:
        return im.convert("RGB")
    src = im if im.mode in ("RGB", "CMYK", "L") else im.convert("RGB")
    try:
        return ImageCms.profileToProfile(src, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im.convert("RGB")   # a broken or mismatched profile: libvips, too, goes on without it


def load_rgb(path: str, max_long_edge: int | None = None) -> torch.Tensor:
    """uint8 [3,H,W], sRGB (to_srgb)."""
    with Image.open(path) as im:
        im = to_srgb(im)
        if max_long_edge and max(im.size) > max_long_edge:
            s = max_long_edge / max(im.size)
            im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.LANCZOS)
        arr = np.asarray(im, dtype=np.uint8)
    return torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous()


class ContentCrops:
    """All photos decoded once into memory; batches are random crops of random size
    (scale jitter), resized to `crop` and randomly flipped."""

    def __init__(self, files: Sequence[str], crop: int, device: torch.device, min_scale: float = 0.55,
                 seed: int = 0):
        if not files:
            raise ValueError("No content photos found")
        with ThreadPoolExecutor(max_workers=min(16, os.cpu_count() or 1)) as pool:
            imgs = list(pool.map(load_rgb, files))
        self.images = [im.to(device) for im in imgs if min(im.shape[1:]) >= crop // 2]
        self.crop = crop
        self.min_scale = min_scale
        self.rng = random.Random(seed)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, n: int) -> torch.Tensor:
        out = []
        for _ in range(n):
            im = self.images[self.rng.randrange(len(self.images))]
            _, h, w = im.shape
            side = int(min(h, w) * self.rng.uniform(self.min_scale, 1.0))
            side = max(side, 16)
            y = self.rng.randrange(h - side + 1)
            x = self.rng.randrange(w - side + 1)
            patch = im[:, y:y + side, x:x + side].unsqueeze(0).float()
            patch = F.interpolate(patch, size=(self.crop, self.crop), mode="bilinear", align_corners=False,
                                  antialias=side > self.crop)
            if self.rng.random() < 0.5:
                patch = patch.flip(3)
            out.append(patch)
        return torch.cat(out).clamp_(0, 255)

    def centre_crops(self, n: int, size: int) -> torch.Tensor:
        """[n,3,size,size]: the centre square of n photos spread evenly over the (sorted) list, resized to
        size. No draws: every run, and the app's learner, judges a start on the same crops."""
        out = []
        for i in probe_indices(len(self.images), n):
            im = self.images[i]
            _, h, w = im.shape
            side = min(h, w)
            y, x = (h - side) // 2, (w - side) // 2
            patch = im[:, y:y + side, x:x + side].unsqueeze(0).float()
            out.append(F.interpolate(patch, size=(size, size), mode="bilinear", align_corners=False,
                                     antialias=side > size))
        return torch.cat(out).clamp_(0, 255)


def probe_indices(photos: int, n: int) -> List[int]:
    """round(i (photos - 1) / (n - 1)) for i < n: first and last photo included, evenly between."""
    if n <= 1:
        return [0][:n]
    return [int(np.floor(i * (photos - 1) / (n - 1) + 0.5)) for i in range(n)]


def load_style_meta(shared_dir: str) -> List[Dict]:
    with open(os.path.join(shared_dir, "styles", "styles.json")) as f:
        return json.load(f)
