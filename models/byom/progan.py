"""Progressive GAN generator in the layout of the paper's code.

The module names and state-dict keys follow that layout: an nn.Sequential
of layer1 … layer2L, each a block of norm (pixel norm), up (×2 nearest, odd
layers from 3 on), conv (3×3, no bias; layer1 is 4×4 with padding 3 on the
1×1 latent), wscale (x·scale + b) and relu (leaky, 0.2), then output_RxR
(norm, 1×1 conv, wscale, hardtanh).  Channel counts come from the
checkpoint, so any resolution loads.

The rewritable weight of layerN is layerN.conv.weight.  Its key is the conv
input (pixel-normed and, where applicable, upsampled features) and its value
is the raw conv output before wscale, which is linear in the weight.
"""

import re
from collections import OrderedDict

import torch
from torch import nn
from torch.nn import functional as F


class PixelNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + 1e-8)


class WScale(nn.Module):
    def __init__(self, fan_in, channels):
        super().__init__()
        self.scale = (2.0 / fan_in) ** 0.5
        self.b = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return x * self.scale + self.b.view(1, -1, 1, 1)


class Upsample(nn.Module):
    def forward(self, x):
        return F.interpolate(x, scale_factor=2.0, mode="nearest")


def block(in_ch, out_ch, kernel, padding, upsample):
    parts = [("norm", PixelNorm())]
    if upsample:
        parts.append(("up", Upsample()))
    parts += [("conv", nn.Conv2d(in_ch, out_ch, kernel, padding=padding,
                                 bias=False)),
              ("wscale", WScale(in_ch * kernel * kernel, out_ch)),
              ("relu", nn.LeakyReLU(0.2))]
    return nn.Sequential(OrderedDict(parts))


class ProGanGenerator(nn.Sequential):
    """sizes: output channels of layer1 … layer2L, then 3 for RGB."""

    def __init__(self, sizes):
        layers = [("layer1", block(sizes[0], sizes[1], 4, 3, False))]
        for k in range(2, len(sizes) - 1):
            layers.append((f"layer{k}", block(sizes[k - 1], sizes[k], 3, 1,
                                              k % 2 == 1)))
        resolution = 4 * 2 ** ((len(sizes) - 3) // 2)
        out = nn.Sequential(OrderedDict([
            ("norm", PixelNorm()),
            ("conv", nn.Conv2d(sizes[-2], 3, 1, bias=False)),
            ("wscale", WScale(sizes[-2], 3)),
            ("hardtanh", nn.Hardtanh())]))
        layers.append((f"output_{resolution}x{resolution}", out))
        super().__init__(OrderedDict(layers))
        self.z_dim = sizes[0]
        self.resolution = resolution


def sizes_from_state_dict(state):
    """Channel counts [z, layer1 out, …, layer2L out, 3] from a state dict."""
    convs = sorted((int(m.group(1)), state[key].shape)
                   for key in state
                   for m in [re.match(r"layer(\d+)\.conv\.weight$", key)] if m)
    sizes = [convs[0][1][1]] + [shape[0] for _, shape in convs]
    return sizes + [3]


def random_progan(resolution, top_channels=32, seed=0):
    """A ProGAN of the given resolution with random weights (for tests)."""
    torch.manual_seed(seed)
    levels = 1
    while 4 * 2 ** (levels - 1) < resolution:
        levels += 1
    sizes = [top_channels]
    for level in range(levels):
        width = max(top_channels // (2 ** max(level - 1, 0)), 8)
        sizes += [width, width]
    model = ProGanGenerator(sizes + [3])
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("wscale.b"):
                p.normal_(0, 0.1)
            else:
                p.normal_(0, 1)
    return model


def load_progan(state):
    model = ProGanGenerator(sizes_from_state_dict(state))
    model.load_state_dict(state)
    return model


class ProGanSplit:
    """Adapter the exporter uses: keys, values and the weight of a layer."""

    def __init__(self, model):
        self.model = model
        self.z_dim = model.z_dim
        self.resolution = model.resolution

    def rewritable(self):
        return [name for name, module in self.model.named_children()
                if name.startswith("layer") and name != "layer1"]

    def weight(self, layer):
        return getattr(self.model, layer).conv.weight

    def forward(self, z, weights, record):
        x = z.view(z.shape[0], -1, 1, 1)
        for name, module in self.model.named_children():
            if name in weights or (record is not None and name in record):
                key = module.norm(x)
                if hasattr(module, "up"):
                    key = module.up(key)
                value = F.conv2d(key, weights.get(name, module.conv.weight),
                                 padding=module.conv.padding)
                if record is not None and name in record:
                    record[name] = (key, value)
                x = module.relu(module.wscale(value))
            else:
                x = module(x)
        return x
