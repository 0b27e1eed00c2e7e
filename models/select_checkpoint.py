"""Rank saved generator checkpoints by how faithfully they draw scene parts.

    /usr/bin/python3 models/select_checkpoint.py models/.work/town64

For every step_<N>.pt in the folder: draw --samples latents (seeds
0..samples-1, numpy RandomState as the app does), label them with the
segmenter, and compare each class's pixel share with the training data's.
The score is the total absolute difference of the shares (0 = identical
mix of parts); a per-class ratio shows what is over- or under-drawn.
"""

import argparse
import glob
import json
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "scenes"))
import render  # noqa: E402
from town_gan import Z_DIM, Generator  # noqa: E402
from train_segmenter import Segmenter  # noqa: E402


def class_shares(labels):
    counts = np.bincount(labels.ravel(), minlength=len(render.CLASSES))
    return counts / counts.sum()


def generated_shares(checkpoint, segmenter, samples):
    generator = Generator()
    generator.load_state_dict(torch.load(checkpoint)["ema"])
    generator.eval()
    z = np.stack([np.random.RandomState(s).standard_normal(Z_DIM)
                  for s in range(samples)])
    z = torch.from_numpy(z).float()
    labels = []
    with torch.no_grad():
        for i in range(0, samples, 100):
            labels.append(segmenter(generator(z[i:i + 100])).argmax(1))
    return class_shares(torch.cat(labels).numpy())


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--data", default="models/.work/town64.npz")
    parser.add_argument("--segmenter", default="models/.work/segmenter.pt")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    segmenter = Segmenter()
    segmenter.load_state_dict(torch.load(args.segmenter))
    segmenter.eval()
    truth = class_shares(np.load(args.data)["labels"])

    def step_of(path):
        return int(re.search(r"step_(\d+)\.pt$", path).group(1))

    results = []
    for path in sorted(glob.glob(os.path.join(args.work, "step_*.pt")),
                       key=step_of):
        shares = generated_shares(path, segmenter, args.samples)
        score = float(np.abs(shares - truth).sum())
        results.append({"step": step_of(path), "score": round(score, 4),
                        "ratio": dict(zip(render.CLASSES, np.round(
                            shares / np.maximum(truth, 1e-9), 2).tolist()))})
        print(json.dumps(results[-1]), flush=True)
    best = min(results, key=lambda r: r["score"])
    print(f"best step {best['step']} score {best['score']}")


if __name__ == "__main__":
    main(sys.argv[1:])
