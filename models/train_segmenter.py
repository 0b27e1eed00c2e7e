"""Train the part segmenter on rendered scenes and export it to ONNX.

    /usr/bin/python3 models/train_segmenter.py --out models/town64

The segmenter labels every pixel of a 64×64 image with one of the scene
classes (models/scenes/render.py CLASSES).  It is how the project measures
what a generator draws and what a rule changed.  Training images are blurred
and noised at random so that the network also reads the softer pictures a
GAN makes.  Writes segmenter.onnx and adds "segmenter" to manifest.json.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "scenes"))
import render  # noqa: E402


def block(a, b):
    return nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b),
                         nn.ReLU(inplace=True))


class Segmenter(nn.Module):
    """A two-level U-Net: 64 → 32 → 16 and back, 12 class logits."""

    def __init__(self, classes=len(render.CLASSES), width=16):
        super().__init__()
        self.enc1 = nn.Sequential(block(3, width), block(width, width))
        self.enc2 = nn.Sequential(block(width, 2 * width),
                                  block(2 * width, 2 * width))
        self.mid = nn.Sequential(block(2 * width, 4 * width),
                                 block(4 * width, 2 * width))
        self.dec2 = block(4 * width, width)
        self.dec1 = block(2 * width, width)
        self.head = nn.Conv2d(width, classes, 1)

    def forward(self, image):
        e1 = self.enc1(image)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(m, scale_factor=2.0), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2.0), e1], 1))
        return self.head(d1)


def degrade(images):
    """Random blur and noise, so GAN-like softness does not fool the net."""
    n = images.shape[0]
    blur = torch.rand(n) < 0.6
    if blur.any():
        kernel = torch.tensor([1.0, 2.0, 1.0])
        kernel = (kernel[:, None] * kernel[None, :]) / 16
        kernel = kernel.expand(3, 1, 3, 3)
        images[blur] = F.conv2d(images[blur], kernel, padding=1, groups=3)
    noise = torch.rand(n, 1, 1, 1) * 0.08
    return (images + noise * torch.randn_like(images)).clamp(-1, 1)


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    data = np.load(args.data)
    images = torch.from_numpy(data["images"]).permute(0, 3, 1, 2).float()
    images = images / 127.5 - 1
    labels = torch.from_numpy(data["labels"]).long()
    held = 1000
    model = Segmenter()
    optimiser = torch.optim.Adam(model.parameters(), 2e-3)
    started = time.time()
    for step in range(1, args.steps + 1):
        index = torch.randint(held, len(images), (args.batch,))
        x, y = degrade(images[index].clone()), labels[index]
        flip = torch.rand(args.batch) < 0.5
        x[flip], y[flip] = x[flip].flip(3), y[flip].flip(2)
        loss = F.cross_entropy(model(x), y)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        if step == int(args.steps * 0.7):
            for group in optimiser.param_groups:
                group["lr"] = 4e-4
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.4f} "
                  f"{time.time() - started:.0f}s", flush=True)
    model.eval()
    return model, images[:held], labels[:held]


def evaluate(model, images, labels):
    with torch.no_grad():
        predicted = torch.cat([model(images[i:i + 100]).argmax(1)
                               for i in range(0, len(images), 100)])
    accuracy = (predicted == labels).float().mean().item()
    per_class = {}
    for index, name in enumerate(render.CLASSES):
        truth = labels == index
        union = (truth | (predicted == index)).sum().item()
        if union:
            per_class[name] = round(
                (truth & (predicted == index)).sum().item() / union, 4)
    return accuracy, per_class


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="models/.work/town64.npz")
    parser.add_argument("--out", default="models/town64")
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--state", default="models/.work/segmenter.pt")
    args = parser.parse_args(argv)

    model, held_images, held_labels = train(args)
    accuracy, iou = evaluate(model, held_images, held_labels)
    print(f"held-out pixel accuracy {accuracy:.4f}")
    print("held-out IoU", json.dumps(iou))

    torch.save(model.state_dict(), args.state)
    torch.onnx.export(model, held_images[:2],
                      os.path.join(args.out, "segmenter.onnx"),
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"},
                                    "logits": {0: "batch"}},
                      opset_version=17)
    freq = np.bincount(np.load(args.data)["labels"].ravel(),
                       minlength=len(render.CLASSES)).astype(np.float64)
    manifest_path = os.path.join(args.out, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    manifest["segmenter"] = {
        "file": "segmenter.onnx",
        "classes": list(render.CLASSES),
        "input": "image", "output": "logits",
        "heldOutPixelAccuracy": round(accuracy, 4),
        "heldOutIoU": iou,
        "trainingClassFrequency": dict(zip(
            render.CLASSES, np.round(freq / freq.sum(), 5).tolist())),
        "script": "models/train_segmenter.py",
        "steps": args.steps,
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1:])
