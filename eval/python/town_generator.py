"""Loads models/town_gan.py's Generator with a model folder's weights.

The trained export ships `generator.pt` (the EMA state dict). A folder
without it (an early export) is still usable: the state is rebuilt from
`generator.onnx`'s initializers (parameters keep their torch names there)
plus the rewritable layers' `<layer>.weight.f32` files, and checked against
the folder's `reference.f32` images.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "models"))

from town_gan import REWRITABLE, Z_DIM, Generator  # noqa: E402


def latents(seeds):
    """numpy RandomState(seed).standard_normal(Z_DIM) per seed, float32 (as shared/latent)."""
    return torch.from_numpy(np.stack([
        np.random.RandomState(s).standard_normal(Z_DIM) for s in seeds
    ]).astype(np.float32))


def load_generator(model_dir):
    """The Generator of `model_dir`, in eval mode, and where its state came from."""
    generator = Generator()
    path = os.path.join(model_dir, "generator.pt")
    if os.path.exists(path):
        generator.load_state_dict(torch.load(path, map_location="cpu"))
        origin = "generator.pt"
    else:
        generator.load_state_dict(state_from_onnx(model_dir, generator.state_dict()))
        origin = "generator.onnx initializers"
    generator.eval()
    return generator, origin


def reference_error(generator, model_dir):
    """Max |torch image − reference.f32 image| over the manifest's reference seeds."""
    with open(os.path.join(model_dir, "manifest.json")) as f:
        manifest = json.load(f)
    seeds = manifest["reference"]["seeds"]
    size = manifest["resolution"]
    count = len(seeds) * 3 * size * size
    expected = np.fromfile(os.path.join(model_dir, manifest["reference"]["file"]), dtype="<f4")[:count]
    with torch.no_grad():
        image = generator(latents(seeds)).numpy().ravel()
    return float(np.abs(image - expected).max())


def state_from_onnx(model_dir, template):
    """A state dict shaped like `template` from the ONNX initializers and weight files.

    Parameters appear as `generator.<name>`; block biases become anonymous
    `onnx::Add_*` constants in block order, matched here by order and size
    (the reference check in `reference_error` catches a wrong match).
    """
    named, unnamed = {}, []
    for name, data in onnx_initializers(os.path.join(model_dir, "generator.onnx")).items():
        if name.startswith("generator."):
            named[name[len("generator."):]] = data
        else:
            unnamed.append(data)
    state = {}
    for name, like in template.items():
        layer = name.split(".")[1] if name.startswith("blocks.") else None
        if layer in REWRITABLE and name.endswith(".weight"):
            data = np.fromfile(os.path.join(model_dir, f"{layer}.weight.f32"), dtype="<f4")
        elif name in named:
            data = named[name]
        elif name.endswith(".bias") and unnamed and unnamed[0].size == like.numel():
            # The exporter folds block biases into anonymous Add constants, in block order.
            data = unnamed.pop(0)
        else:
            raise KeyError(f"{name} is neither in generator.pt nor among generator.onnx's initializers")
        state[name] = torch.from_numpy(np.array(data, dtype=np.float32).reshape(like.shape))
    return state


def onnx_initializers(path):
    """{name: float32 array} of the graph's float initializers (protobuf wire format, read by hand)."""
    with open(path, "rb") as f:
        model = f.read()
    graph = next(v for k, v in fields(model) if k == 7)
    out = {}
    for key, tensor in fields(graph):
        if key != 5:
            continue
        name, raw, floats, dtype = None, None, [], 1
        for k, v in fields(tensor):
            if k == 8:
                name = v.decode()
            elif k == 9:
                raw = v
            elif k == 2:
                dtype = v
            elif k == 4:
                floats.extend(struct.unpack(f"<{len(v) // 4}f", v) if isinstance(v, bytes) else [v])
        if dtype == 1 and name is not None:
            out[name] = np.frombuffer(raw, dtype="<f4") if raw is not None else np.array(floats, np.float32)
    return out


def fields(buffer):
    """(field number, value) pairs of one protobuf message; varints as ints, length-delimited as bytes."""
    pos = 0
    while pos < len(buffer):
        key, pos = varint(buffer, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buffer, pos)
        elif wire == 1:
            value, pos = buffer[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = varint(buffer, pos)
            value, pos = buffer[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buffer[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, value


def varint(buffer, pos):
    result, shift = 0, 0
    while True:
        byte = buffer[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


if __name__ == "__main__":
    torch.set_num_threads(1)
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "models", "town64")
    gen, source = load_generator(directory)
    print(json.dumps({"origin": source, "referenceMaxError": reference_error(gen, directory)}))
