"""The original rewriting method's optimiser (ALGORITHM.md §3.1), re-implemented
for the benchmark: Adam on the whole weight of one conv, L1 loss between the conv
of the cropped goal keys (zero-padded at the crop border) and the goal values,
projection W <- W0 - W0 P + W P every `piter` steps and at the last step.

Usage: python3 original_insert.py DIR  (DIR holds meta.json, keys.f32, goal.f32,
w0.f32, d.f32, written by bench/rewrite.ts; writes w1.f32 and result.json).
Runs torch on meta["threads"] threads (default 1).
"""
import json
import os
import sys
import time

import numpy as np
import torch


def load(directory, name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(directory, name), dtype="<f4").reshape(shape).copy())


def main(directory):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    torch.set_num_threads(int(meta.get("threads", 1)))
    o, i, r = meta["outputs"], meta["inputs"], meta["rank"]
    h, w = meta["height"], meta["width"]
    keys = load(directory, "keys.f32", (1, i, h, w))
    goal = load(directory, "goal.f32", (1, o, h, w))
    w0 = load(directory, "w0.f32", (o, i, 3, 3))
    d = load(directory, "d.f32", (r, i))

    def projected(weight):
        # einsum('oiyx,di->odyx') then back: W P applied per tap.
        return torch.einsum("odyx,di->oiyx", torch.einsum("oiyx,di->odyx", weight, d), d)

    start = time.perf_counter()
    ortho = w0 - projected(w0)
    weight = w0.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([weight], lr=meta["lr"])
    loss = None
    for it in range(meta["steps"]):
        out = torch.nn.functional.conv2d(keys, weight, padding=1)
        loss = (out - goal).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if it % meta["piter"] == 0 or it == meta["steps"] - 1:
            with torch.no_grad():
                weight[...] = ortho + projected(weight)
    elapsed = (time.perf_counter() - start) * 1000
    weight.detach().numpy().astype("<f4").tofile(os.path.join(directory, "w1.f32"))
    with open(os.path.join(directory, "result.json"), "w") as f:
        json.dump({"ms": elapsed, "finalLoss": float(loss), "threads": torch.get_num_threads()}, f)


if __name__ == "__main__":
    main(sys.argv[1])
