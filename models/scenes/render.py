"""Procedural town scenes with per-pixel part labels.

Every scene is a pure function of its integer seed: the same seed always
gives the same image and label map.  Scenes are drawn back to front: sky and
clouds, ground, buildings and towers standing on the horizon, then trees.

Run as a script to write a training set:

    /usr/bin/python3 models/scenes/render.py --count 30000 --out data/town64.npz
"""

import argparse
import sys

import numpy as np

SIZE = 64

# Part classes, in label-map order.  Shared with models/README.md and the
# segmentation network; keep the order stable.
CLASSES = (
    "sky", "cloud", "grass", "road", "water", "building", "window",
    "door", "tower", "dome", "spire", "tree",
)
LABEL = {name: index for index, name in enumerate(CLASSES)}

SKY_LOOKS = {
    "day": ((70, 130, 220), (170, 210, 250)),
    "sunset": ((90, 60, 140), (250, 160, 90)),
    "overcast": ((140, 145, 155), (200, 202, 205)),
    "night": ((10, 15, 45), (40, 50, 95)),
}
WALL_COLOURS = ((200, 180, 150), (170, 80, 60), (150, 150, 155),
                (225, 220, 205), (120, 100, 80))
TOWER_COLOURS = ((190, 175, 140), (140, 135, 130), (210, 205, 195),
                 (160, 90, 70))
DOME_COLOURS = ((215, 175, 50), (70, 150, 120), (60, 90, 170),
                (170, 170, 180))
SPIRE_COLOURS = ((120, 40, 40), (60, 65, 80), (40, 70, 130),
                 (90, 60, 40))
TREE_COLOURS = ((40, 120, 40), (60, 140, 50), (30, 95, 45), (90, 150, 60))


class Canvas:
    """An RGB image and its label map, painted in place."""

    def __init__(self):
        self.rgb = np.zeros((SIZE, SIZE, 3), np.float32)
        self.label = np.zeros((SIZE, SIZE), np.uint8)
        self.rows, self.cols = np.mgrid[0:SIZE, 0:SIZE]

    def paint(self, mask, colour, part):
        self.rgb[mask] = colour
        self.label[mask] = LABEL[part]

    def rect(self, top, left, bottom, right):
        return ((self.rows >= top) & (self.rows < bottom)
                & (self.cols >= left) & (self.cols < right))

    def disc(self, cy, cx, radius):
        return (self.rows - cy) ** 2 + (self.cols - cx) ** 2 <= radius ** 2

    def triangle(self, apex_y, base_y, left, right):
        """An isosceles triangle with its apex above the base's midpoint."""
        height = max(base_y - apex_y, 1)
        mid = (left + right - 1) / 2.0
        half = (right - left) / 2.0
        depth = (self.rows - apex_y) / height
        return ((self.rows >= apex_y) & (self.rows < base_y)
                & (np.abs(self.cols - mid) <= half * depth + 0.25))


def jitter(rng, colour, amount=18):
    return np.clip(np.array(colour, np.float32)
                   + rng.uniform(-amount, amount, 3), 0, 255)


def draw_sky(canvas, rng, horizon):
    look = rng.choice(list(SKY_LOOKS))
    top, bottom = (jitter(rng, c, 12) for c in SKY_LOOKS[look])
    t = np.clip(canvas.rows / max(horizon, 1), 0, 1)[..., None]
    canvas.rgb[:] = top * (1 - t) + bottom * t
    canvas.label[:] = LABEL["sky"]
    cloud = (230, 230, 235) if look != "night" else (70, 75, 100)
    for _ in range(rng.integers(0, 4)):
        cy = rng.integers(4, max(horizon - 14, 6))
        cx = rng.integers(0, SIZE)
        width = rng.integers(8, 18)
        mask = np.zeros_like(canvas.label, bool)
        for k in range(3):
            mask |= canvas.disc(cy + rng.integers(-1, 2),
                                cx + (k - 1) * width // 3,
                                rng.integers(2, 5))
        canvas.paint(mask, jitter(rng, cloud, 8), "cloud")
    return look


def draw_ground(canvas, rng, horizon):
    kind = rng.choice(["grass", "grass", "water", "road"])
    colours = {"grass": (70, 140, 60), "water": (50, 100, 170),
               "road": (95, 95, 100)}
    canvas.paint(canvas.rect(horizon, 0, SIZE, SIZE),
                 jitter(rng, colours[kind], 15), kind)
    if kind != "road" and rng.random() < 0.4:
        top = rng.integers(horizon + 6, SIZE - 5)
        band = canvas.rect(top, 0, top + rng.integers(4, 8), SIZE)
        canvas.paint(band, jitter(rng, colours["road"], 10), "road")


def draw_windows(canvas, rng, top, left, bottom, right, lit):
    colour = (240, 210, 110) if lit else (45, 55, 75)
    step_y = rng.integers(4, 6)
    step_x = rng.integers(4, 6)
    for y in range(top + 2, bottom - 4, step_y):
        for x in range(left + 2, right - 2, step_x):
            canvas.paint(canvas.rect(y, x, y + 2, x + 2),
                         jitter(rng, colour, 10), "window")


def draw_building(canvas, rng, horizon, left, lit):
    width = rng.integers(11, 22)
    height = rng.integers(10, 24)
    top, right = horizon - height, min(left + width, SIZE)
    canvas.paint(canvas.rect(top, left, horizon, right),
                 jitter(rng, WALL_COLOURS[rng.integers(5)]), "building")
    draw_windows(canvas, rng, top, left, horizon - 5, right, lit)
    door_x = rng.integers(left + 1, max(right - 4, left + 2))
    canvas.paint(canvas.rect(horizon - 5, door_x, horizon, door_x + 3),
                 jitter(rng, (70, 45, 30), 10), "door")


def draw_tower(canvas, rng, horizon, left, lit):
    width = rng.integers(8, 12)
    height = rng.integers(14, 28)
    top, right = horizon - height, left + width
    canvas.paint(canvas.rect(top, left, horizon, right),
                 jitter(rng, TOWER_COLOURS[rng.integers(4)]), "tower")
    for y in range(top + 3, horizon - 4, rng.integers(6, 9)):
        x = left + width // 2 - 1
        canvas.paint(canvas.rect(y, x, y + 3, x + 2),
                     jitter(rng, (240, 210, 110) if lit else (45, 55, 75),
                            10), "window")
    if rng.random() < 0.5:
        radius = width / 2.0 + 0.5
        cy, cx = top, left + (width - 1) / 2.0
        dome = canvas.disc(cy, cx, radius) & (canvas.rows < top)
        canvas.paint(dome, jitter(rng, DOME_COLOURS[rng.integers(4)]),
                     "dome")
    else:
        apex = top - rng.integers(9, 15)
        spire = canvas.triangle(apex, top, left - 1, right + 1)
        canvas.paint(spire, jitter(rng, SPIRE_COLOURS[rng.integers(4)]),
                     "spire")


def draw_tree(canvas, rng, base):
    cx = rng.integers(2, SIZE - 2)
    radius = rng.integers(4, 7)
    trunk_height = rng.integers(3, 6)
    canvas.paint(canvas.rect(base - trunk_height, cx - 1, base, cx + 1),
                 jitter(rng, (95, 65, 35), 10), "tree")
    crown = canvas.disc(base - trunk_height - radius + 1, cx, radius)
    canvas.paint(crown, jitter(rng, TREE_COLOURS[rng.integers(4)]), "tree")


def render(seed):
    """Return (rgb uint8 SIZE×SIZE×3, label uint8 SIZE×SIZE) for a seed."""
    rng = np.random.default_rng(seed)
    canvas = Canvas()
    horizon = int(rng.integers(40, 50))
    look = draw_sky(canvas, rng, horizon)
    draw_ground(canvas, rng, horizon)
    lit = look == "night"

    structures = ["building"] * rng.integers(0, 3) + ["tower"] * (
        1 + rng.integers(0, 2) if rng.random() < 0.9 else 0)
    rng.shuffle(structures)
    for kind in structures:
        left = int(rng.integers(-4, SIZE - 8))
        if kind == "building":
            draw_building(canvas, rng, horizon, max(left, 0), lit)
        else:
            draw_tower(canvas, rng, horizon, max(left, 1), lit)

    for _ in range(rng.integers(0, 4)):
        draw_tree(canvas, rng, int(rng.integers(horizon + 1, SIZE - 2)))

    return canvas.rgb.round().astype(np.uint8), canvas.label


def render_many(first_seed, count, progress=None):
    images = np.zeros((count, SIZE, SIZE, 3), np.uint8)
    labels = np.zeros((count, SIZE, SIZE), np.uint8)
    for i in range(count):
        images[i], labels[i] = render(first_seed + i)
        if progress and (i + 1) % 5000 == 0:
            progress(i + 1, count)
    return images, labels


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30000)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    def report(done, total):
        print(f"rendered {done}/{total}", flush=True)

    images, labels = render_many(args.first_seed, args.count, report)
    np.savez_compressed(args.out, images=images, labels=labels,
                        first_seed=args.first_seed)
    freq = np.bincount(labels.ravel(), minlength=len(CLASSES))
    freq = freq / freq.sum()
    for name, share in zip(CLASSES, freq):
        print(f"{name:9s} {share:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
