"""Export a ProGAN or StyleGAN2 checkpoint into the rewritable ONNX layout.

    /usr/bin/python3 models/byom/export.py progan church.pth \
        --layers layer6,layer8 --out models/church
    /usr/bin/python3 models/byom/export.py stylegan2 ffhq-256.pt --size 256 \
        --layers layer6,layer8 --out models/ffhq256

Writes the same files the shipped model has (models/README.md):
generator.onnx with the chosen layers' weights as inputs and their keys and
values as outputs, <layer>.weight.f32, reference.f32 and manifest.json.
Afterwards run `npm run stats -- --model <out>` for the key statistics.

--random SIZE builds the architecture with random weights instead of
loading a checkpoint; the tests use it, since no real checkpoint can be
downloaded here.  --self-test also writes an edited-weight reference so a
test can check that a rewrite changes the ONNX output exactly as in torch.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import progan  # noqa: E402
import stylegan2  # noqa: E402

REFERENCE_SEEDS = (0, 1, 2, 3)
OPSET = 17


class Graph(torch.nn.Module):
    def __init__(self, split, layers):
        super().__init__()
        self.split, self.layers = split, layers
        self.model = split.model

    def forward(self, z, *weights):
        record = {name: None for name in self.layers}
        image = self.split.forward(z, dict(zip(self.layers, weights)), record)
        outputs = [image]
        for name in self.layers:
            outputs += list(record[name])
        return tuple(outputs)


def build(args):
    if args.arch == "progan":
        if args.random:
            return progan.ProGanSplit(progan.random_progan(args.random))
        state = torch.load(args.checkpoint, map_location="cpu")
        return progan.ProGanSplit(progan.load_progan(state))
    if args.random:
        return stylegan2.StyleGan2Split(stylegan2.random_stylegan2(args.random))
    state = torch.load(args.checkpoint, map_location="cpu")
    state = state.get("g_ema", state)
    return stylegan2.StyleGan2Split(stylegan2.load_stylegan2(
        state, args.size, n_mlp=args.n_mlp,
        channel_multiplier=args.channel_multiplier))


def latents(z_dim):
    return torch.from_numpy(np.stack([
        np.random.RandomState(s).standard_normal(z_dim)
        for s in REFERENCE_SEEDS])).float()


def export(args):
    torch.set_num_threads(args.threads)
    split = build(args)
    split.model.eval()
    for p in split.model.parameters():
        p.requires_grad_(False)
    layers = args.layers.split(",") if args.layers else split.rewritable()
    unknown = [n for n in layers if n not in split.rewritable()]
    if unknown:
        sys.exit(f"export: cannot rewrite {unknown}; choose from "
                 f"{split.rewritable()}")
    os.makedirs(args.out, exist_ok=True)

    weights = [split.weight(n).detach().clone().contiguous() for n in layers]
    graph = Graph(split, layers).eval()
    z = latents(split.z_dim)
    with torch.no_grad():
        outputs = graph(z, *weights)

    names_out = ["image"]
    for n in layers:
        names_out += [f"key_{n}", f"value_{n}"]
    torch.onnx.export(graph, (z, *weights),
                      os.path.join(args.out, "generator.onnx"),
                      input_names=["z"] + [f"weight_{n}" for n in layers],
                      output_names=names_out,
                      dynamic_axes={n: {0: "batch"}
                                    for n in ["z"] + names_out},
                      opset_version=OPSET)

    manifest_layers = []
    for i, (name, weight) in enumerate(zip(layers, weights)):
        weight.numpy().astype("<f4").tofile(
            os.path.join(args.out, f"{name}.weight.f32"))
        key, value = outputs[1 + 2 * i], outputs[2 + 2 * i]
        manifest_layers.append({
            "name": name, "weightInput": f"weight_{name}",
            "keyOutput": f"key_{name}", "valueOutput": f"value_{name}",
            "weightFile": f"{name}.weight.f32",
            "weight": list(weight.shape), "key": list(key.shape[1:]),
            "value": list(value.shape[1:])})

    kept = [0] + [2 + 2 * i for i in range(len(layers))]
    np.concatenate([outputs[i].numpy().ravel() for i in kept]).astype(
        "<f4").tofile(os.path.join(args.out, "reference.f32"))
    manifest = {
        "name": os.path.basename(os.path.normpath(args.out)),
        "description": args.description or f"{args.arch} export",
        "architecture": args.arch,
        "resolution": split.resolution,
        "zDim": split.z_dim,
        "latent": "numpy RandomState(seed).standard_normal(zDim), float32",
        "generator": "generator.onnx",
        "imageRange": [-1, 1],
        "layers": manifest_layers,
        "reference": {"file": "reference.f32", "seeds": list(REFERENCE_SEEDS),
                      "outputs": [names_out[i] for i in kept],
                      "layout": "each output for all seeds, row-major, "
                                "in the order listed"},
        "source": {"checkpoint": os.path.basename(args.checkpoint or "") or
                   f"random weights, size {args.random}",
                   "script": "models/byom/export.py"},
    }
    if args.self_test:
        manifest["selfTest"] = self_test(args, graph, z, layers, weights)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"exported {args.arch} ({split.resolution} px, layers "
          f"{', '.join(layers)}) to {args.out}")


def self_test(args, graph, z, layers, weights):
    """Perturb the first layer's weight; store the delta and torch's image."""
    generator = torch.Generator().manual_seed(123)
    delta = 0.1 * torch.randn(weights[0].shape, generator=generator)
    delta.numpy().astype("<f4").tofile(
        os.path.join(args.out, "selftest.delta.f32"))
    with torch.no_grad():
        edited = graph(z, weights[0] + delta, *weights[1:])[0]
    edited.numpy().astype("<f4").tofile(
        os.path.join(args.out, "selftest.image.f32"))
    return {"layer": layers[0], "delta": "selftest.delta.f32",
            "image": "selftest.image.f32", "seeds": list(REFERENCE_SEEDS)}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("arch", choices=["progan", "stylegan2"])
    parser.add_argument("checkpoint", nargs="?")
    parser.add_argument("--out", required=True)
    parser.add_argument("--layers", default="",
                        help="comma-separated, e.g. layer6,layer8 "
                             "(default: every rewritable layer)")
    parser.add_argument("--size", type=int, default=256,
                        help="StyleGAN2 output size")
    parser.add_argument("--n-mlp", type=int, default=8)
    parser.add_argument("--channel-multiplier", type=int, default=2)
    parser.add_argument("--random", type=int, default=0, metavar="SIZE")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--description", default="")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.random and not args.checkpoint:
        parser.error("give a checkpoint, or --random SIZE")
    export(args)


if __name__ == "__main__":
    main(sys.argv[1:])
