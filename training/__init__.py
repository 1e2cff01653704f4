"""Pastiche trainer: fast feed-forward style transfer with instance normalization.

Four rooms (training/README.md), each importing only from the rooms its MAY_IMPORT row names
(tests/test_layering.py):
- core: model, vgg (loss network), data, losses, train, export, eval, and the helpers they share;
- deploy: the files the app ships (build_pack, regraph, quantize, rgb8, fixtures);
- styles: style files and vectors, and learning a new style on the frozen pack (learn.py);
- experiments: comparisons, trials and the GPU run.
"""
