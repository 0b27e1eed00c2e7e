"""The town64 generator and discriminator.

The generator is a stack of upsample → 3×3 conv blocks.  The conv of each
block carries no bias and is read *before* its bias, activation and pixel
norm, so its output (the "value") is exactly linear in its weight, and its
input (the "key") is the upsampled, pixel-normed feature map of the block
before.  The blocks named in REWRITABLE take their weight as an argument of
forward(), so the exported ONNX graph exposes them as inputs.
"""

import torch
from torch import nn
from torch.nn import functional as F

Z_DIM = 128
# (name, in_channels, out_channels, output resolution)
BLOCKS = (
    ("conv8", 256, 128, 8),
    ("conv16", 128, 128, 16),
    ("conv32", 128, 64, 32),
    ("conv64", 64, 32, 64),
)
REWRITABLE = ("conv8", "conv16", "conv32")
NEGATIVE_SLOPE = 0.2


def pixel_norm(x, eps=1e-8):
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)


class Block(nn.Module):
    """Nearest ×2 upsample, 3×3 conv (value), bias, leaky ReLU, pixel norm."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.weight = nn.Parameter(
            torch.randn(out_channels, in_channels, 3, 3)
            * (2.0 / (in_channels * 9)) ** 0.5)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def keys(self, x):
        return F.interpolate(x, scale_factor=2.0, mode="nearest")

    def finish(self, value):
        x = value + self.bias.view(1, -1, 1, 1)
        return pixel_norm(F.leaky_relu(x, NEGATIVE_SLOPE))


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Z_DIM, 256 * 4 * 4)
        self.blocks = nn.ModuleDict(
            {name: Block(i, o) for name, i, o, _ in BLOCKS})
        self.to_rgb = nn.Conv2d(BLOCKS[-1][2], 3, 3, padding=1)

    def start(self, z):
        """The 4×4 map the first block upsamples."""
        x = self.fc(pixel_norm(z)).view(-1, 256, 4, 4)
        return pixel_norm(F.leaky_relu(x, NEGATIVE_SLOPE))

    def forward(self, z, weights=None, record=None):
        """Render z (N×Z_DIM) to images in [-1, 1].

        weights: optional {block name: weight} overriding stored weights.
        record: optional dict that receives "<name>.key" and "<name>.value".
        """
        x = self.start(z)
        for name, block in self.blocks.items():
            weight = block.weight
            if weights is not None and name in weights:
                weight = weights[name]
            key = block.keys(x)
            value = F.conv2d(key, weight, padding=1)
            if record is not None:
                record[name + ".key"] = key
                record[name + ".value"] = value
            x = block.finish(value)
        return torch.tanh(self.to_rgb(x))


def minibatch_stddev(x, group=4):
    """Append the mean feature std over groups of samples as one channel.

    Lets the discriminator see a batch's diversity, which keeps the
    generator from drawing one scene for every latent (ProGAN's remedy).
    """
    n, c, h, w = x.shape
    g = min(group, n)
    y = x.view(g, -1, c, h, w)
    y = (y.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))
    y = y.view(-1, 1, 1, 1).repeat(g, 1, h, w)
    return torch.cat([x, y], dim=1)


class Discriminator(nn.Module):
    """Strided 4×4 convs with spectral norm, 64 → 4, minibatch stddev, then
    a linear score."""

    def __init__(self, width=32):
        super().__init__()
        sn = nn.utils.spectral_norm
        channels = (3, width, width * 2, width * 4, width * 8)
        self.convs = nn.ModuleList(
            sn(nn.Conv2d(a, b, 4, stride=2, padding=1))
            for a, b in zip(channels[:-1], channels[1:]))
        self.score = sn(nn.Linear((channels[-1] + 1) * 16, 1))

    def forward(self, x):
        for conv in self.convs:
            x = F.leaky_relu(conv(x), NEGATIVE_SLOPE)
        return self.score(minibatch_stddev(x).flatten(1)).squeeze(1)
