"""Export a town64 checkpoint to the rewritable ONNX layout.

    /usr/bin/python3 models/export_onnx.py models/.work/town64/step_6000.pt \
        --out models/town64

    /usr/bin/python3 models/export_onnx.py --features-only --out models/town64

adds only the feature graphs to an exported folder, from its generator.pt
(generator.onnx and so the key statistics stay as they are).

Writes, under --out:
  generator.onnx        z + every rewritable weight → image, keys, values
  render_<layer>.onnx   that layer's value map (+ later weights) → image
  features_<layer>.onnx z (+ weights up to the layer) → that layer's key
                        and value only: the rewrite engine's forward pass,
                        which skips the finer (costlier) blocks
  <layer>.weight.f32    the trained weight, float32 little-endian, O×I×3×3
  reference.f32         torch image and values for seeds 0..3 (parity test)
  generator.pt          the exported (EMA) torch state dict, for baselines
  manifest.json         shapes, files and provenance (statistics are added
                        later by `npm run stats`)
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from town_gan import BLOCKS, REWRITABLE, Z_DIM, Generator  # noqa: E402

REFERENCE_SEEDS = (0, 1, 2, 3)
OPSET = 17


class GeneratorGraph(torch.nn.Module):
    """Forward with rewritable weights as inputs and keys/values as outputs."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, z, *weights):
        record = {}
        image = self.generator(z, dict(zip(REWRITABLE, weights)), record)
        outputs = [image]
        for name in REWRITABLE:
            outputs += [record[name + ".key"], record[name + ".value"]]
        return tuple(outputs)


class RenderGraph(torch.nn.Module):
    """From one layer's value map to the image; later weights are inputs."""

    def __init__(self, generator, layer):
        super().__init__()
        self.generator = generator
        self.layer = layer
        names = [name for name, *_ in BLOCKS]
        self.after = names[names.index(layer) + 1:]
        self.rewritable_after = [n for n in self.after if n in REWRITABLE]

    def forward(self, value, *weights):
        overrides = dict(zip(self.rewritable_after, weights))
        blocks = self.generator.blocks
        x = blocks[self.layer].finish(value)
        for name in self.after:
            block = blocks[name]
            weight = overrides.get(name, block.weight)
            x = block.finish(F.conv2d(block.keys(x), weight, padding=1))
        return torch.tanh(self.generator.to_rgb(x))


class FeatureGraph(torch.nn.Module):
    """From z to one layer's key and value; earlier weights are inputs."""

    def __init__(self, generator, layer):
        super().__init__()
        self.generator = generator
        self.layer = layer
        names = [name for name, *_ in BLOCKS]
        self.upto = names[:names.index(layer) + 1]
        self.rewritable_upto = [n for n in self.upto if n in REWRITABLE]

    def forward(self, z, *weights):
        overrides = dict(zip(self.rewritable_upto, weights))
        x = self.generator.start(z)
        for name in self.upto:
            block = self.generator.blocks[name]
            key = block.keys(x)
            value = F.conv2d(key, overrides.get(name, block.weight), padding=1)
            if name == self.layer:
                return key, value
            x = block.finish(value)
        raise AssertionError("unreachable")


def export_feature_graphs(generator, out):
    """Writes features_<layer>.onnx for every rewritable layer; returns the
    manifest's "features" entry of each layer."""
    files = {}
    for layer in REWRITABLE:
        graph = FeatureGraph(generator, layer).eval()
        inputs = graph.rewritable_upto
        z = torch.zeros(1, Z_DIM)
        file = f"features_{layer}.onnx"
        torch.onnx.export(
            graph, (z, *[generator.blocks[n].weight for n in inputs]),
            os.path.join(out, file),
            input_names=["z"] + [f"weight_{n}" for n in inputs],
            output_names=[f"key_{layer}", f"value_{layer}"],
            dynamic_axes={n: {0: "batch"} for n in
                          ("z", f"key_{layer}", f"value_{layer}")},
            opset_version=OPSET)
        files[layer] = {"file": file,
                        "weights": [f"weight_{n}" for n in inputs]}
    return files


def load_exported(out):
    """The generator of an exported folder, from its generator.pt."""
    generator = Generator()
    generator.load_state_dict(torch.load(os.path.join(out, "generator.pt")))
    return frozen(generator)


def frozen(generator):
    generator.eval()
    for p in generator.parameters():
        p.requires_grad_(False)
    return generator


def add_feature_graphs(out):
    files = export_feature_graphs(load_exported(out), out)
    manifest_path = os.path.join(out, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    for layer in manifest["layers"]:
        if layer["name"] in files:
            layer["features"] = files[layer["name"]]
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"feature graphs added to {out}")


def latent(seed):
    """numpy's legacy RandomState(seed).standard_normal, as shared/ replays."""
    return np.random.RandomState(seed).standard_normal(Z_DIM)


def layer_shapes():
    shapes, channels = {}, 256
    for name, in_ch, out_ch, size in BLOCKS:
        shapes[name] = {"weight": [out_ch, in_ch, 3, 3],
                        "key": [in_ch, size, size],
                        "value": [out_ch, size, size]}
    return shapes


def export(args):
    state = torch.load(args.checkpoint)
    generator = Generator()
    generator.load_state_dict(state["ema"])
    frozen(generator)
    os.makedirs(args.out, exist_ok=True)

    torch.save(generator.state_dict(), os.path.join(args.out, "generator.pt"))
    weights = [generator.blocks[n].weight.detach().clone() for n in REWRITABLE]
    for name, weight in zip(REWRITABLE, weights):
        weight.numpy().astype("<f4").tofile(
            os.path.join(args.out, f"{name}.weight.f32"))

    graph = GeneratorGraph(generator).eval()
    z = torch.from_numpy(np.stack([latent(s) for s in REFERENCE_SEEDS])).float()
    names_out = ["image"]
    for name in REWRITABLE:
        names_out += [f"key_{name}", f"value_{name}"]
    names_in = ["z"] + [f"weight_{n}" for n in REWRITABLE]
    dynamic = {n: {0: "batch"} for n in ["z"] + names_out}
    torch.onnx.export(graph, (z, *weights),
                      os.path.join(args.out, "generator.onnx"),
                      input_names=names_in, output_names=names_out,
                      dynamic_axes=dynamic, opset_version=OPSET)

    shapes = layer_shapes()
    render_files = {}
    for layer in REWRITABLE:
        render = RenderGraph(generator, layer).eval()
        later = render.rewritable_after
        value = torch.zeros(1, *shapes[layer]["value"])
        file = f"render_{layer}.onnx"
        torch.onnx.export(
            render, (value, *[generator.blocks[n].weight for n in later]),
            os.path.join(args.out, file),
            input_names=[f"value_{layer}"] + [f"weight_{n}" for n in later],
            output_names=["image"],
            dynamic_axes={f"value_{layer}": {0: "batch"},
                          "image": {0: "batch"}},
            opset_version=OPSET)
        render_files[layer] = {"file": file,
                               "weights": [f"weight_{n}" for n in later]}
    feature_files = export_feature_graphs(generator, args.out)

    with torch.no_grad():
        outputs = graph(z, *weights)
    kept = [0] + [2 + 2 * i for i in range(len(REWRITABLE))]
    reference = np.concatenate([outputs[i].numpy().ravel() for i in kept])
    reference.astype("<f4").tofile(os.path.join(args.out, "reference.f32"))

    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    manifest.update({
        "name": os.path.basename(os.path.normpath(args.out)),
        "description": args.description,
        "resolution": 64,
        "zDim": Z_DIM,
        "latent": "numpy RandomState(seed).standard_normal(zDim), float32",
        "generator": "generator.onnx",
        "imageRange": [-1, 1],
        "layers": [
            {"name": n, "weightInput": f"weight_{n}",
             "keyOutput": f"key_{n}", "valueOutput": f"value_{n}",
             "weightFile": f"{n}.weight.f32", **shapes[n],
             "render": render_files[n], "features": feature_files[n]}
            for n in REWRITABLE],
        "reference": {"file": "reference.f32", "seeds": list(REFERENCE_SEEDS),
                      "outputs": [names_out[i] for i in kept],
                      "layout": "each output for all seeds, row-major, "
                                "in the order listed"},
        "training": {"checkpointStep": int(state["step"]),
                     **{k: v for k, v in state["settings"].items()
                        if k in ("steps", "batch", "ema", "seed", "count")},
                     "script": "models/train_gan.py",
                     "data": "models/scenes/render.py seeds 0.."
                             f"{state['settings'].get('count', 30000) - 1}"},
    })
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"exported step {state['step']} to {args.out}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", nargs="?")
    parser.add_argument("--out", default="models/town64")
    parser.add_argument("--features-only", action="store_true",
                        help="add the feature graphs to --out from its "
                             "generator.pt and leave everything else")
    parser.add_argument("--description",
                        default="64×64 procedural town scenes, trained here")
    args = parser.parse_args(argv)
    if args.features_only:
        add_feature_graphs(args.out)
    elif args.checkpoint is None:
        parser.error("a checkpoint is needed unless --features-only")
    else:
        export(args)


if __name__ == "__main__":
    main(sys.argv[1:])
