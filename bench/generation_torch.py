"""Torch CPU eager timing of the town generator, for bench/generation.ts.

Usage: python3 generation_torch.py MODEL_DIR THREADS BATCHES SECONDS
(BATCHES comma-separated). Loads models/town_gan.py's Generator with the
folder's weights (generator.pt, else rebuilt from generator.onnx; see
eval/python/town_generator.py), and prints one JSON object: per batch size
the time of every timed run in ms, plus the max |torch − reference.f32|
image difference as a parity check.
"""
import json
import os
import sys
import time

import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(REPO, "eval", "python"))
from town_generator import latents, load_generator, reference_error  # noqa: E402

WARMUP = 3
MAX_RUNS = 500


def time_batch(generator, batch, seconds):
    z = latents(range(batch))
    times = []
    with torch.no_grad():
        for _ in range(WARMUP):
            generator(z)
        total = 0.0
        while (total < seconds or len(times) < 3) and len(times) < MAX_RUNS:
            start = time.perf_counter()
            generator(z)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            total += elapsed
    return {"batch": batch, "runsMs": [1000 * t for t in times]}


def main(model_dir, threads, batches, seconds):
    torch.set_num_threads(threads)
    generator, origin = load_generator(model_dir)
    rows = [time_batch(generator, b, seconds) for b in batches]
    print(json.dumps({"threads": torch.get_num_threads(), "origin": origin, "torch": torch.__version__,
                      "referenceMaxError": reference_error(generator, model_dir), "rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3].split(",")], float(sys.argv[4]))
