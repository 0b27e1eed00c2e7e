"""Fine-tunes every weight of the town generator on one target image: the
"Overfit" baseline of ALGORITHM.md §4.1 without the VGG term (Adam over all
parameters, L1 between G(z_seed) and the target inside a box).

Usage: python3 finetune.py DIR
DIR/meta.json: {modelDir, seed, box: {top,left,bottom,right}, heldOut: [...], steps, lr}
DIR/target.f32: [3,R,R] float32 target image in [-1, 1].
Writes DIR/before.f32 and DIR/after.f32 (held-out images [N,3,R,R], before
and after) and DIR/result.json ({ms, firstLoss, finalLoss, threads,
resolution, origin}); ms is the optimisation alone, on one torch thread.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from town_generator import latents, load_generator  # noqa: E402

torch.set_num_threads(1)
BATCH = 32


def render(generator, seeds):
    with torch.no_grad():
        return torch.cat([generator(latents(seeds[i:i + BATCH])) for i in range(0, len(seeds), BATCH)])


def main(directory):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    generator, origin = load_generator(meta["modelDir"])
    size = generator(latents([0])).shape[-1]
    target = torch.from_numpy(np.fromfile(os.path.join(directory, "target.f32"), dtype="<f4").reshape(1, 3, size, size))
    box = meta["box"]
    rows, cols = slice(box["top"], box["bottom"]), slice(box["left"], box["right"])
    held_out = meta["heldOut"]
    before = render(generator, held_out)

    z = latents([meta["seed"]])
    for p in generator.parameters():
        p.requires_grad_(True)
    optimizer = torch.optim.Adam(generator.parameters(), lr=meta["lr"])
    start = time.perf_counter()
    losses = []
    for _ in range(meta["steps"]):
        image = generator(z)
        loss = (image[:, :, rows, cols] - target[:, :, rows, cols]).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    elapsed = (time.perf_counter() - start) * 1000

    after = render(generator, held_out)
    before.numpy().astype("<f4").tofile(os.path.join(directory, "before.f32"))
    after.numpy().astype("<f4").tofile(os.path.join(directory, "after.f32"))
    with torch.no_grad():
        final = float((generator(z)[:, :, rows, cols] - target[:, :, rows, cols]).abs().mean())
    with open(os.path.join(directory, "result.json"), "w") as f:
        json.dump({"ms": elapsed, "firstLoss": losses[0] if losses else final, "finalLoss": final,
                   "threads": torch.get_num_threads(), "resolution": size, "origin": origin}, f)


if __name__ == "__main__":
    main(sys.argv[1])
