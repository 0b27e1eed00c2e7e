"""StyleGAN2 generator in the state-dict layout of the common PyTorch port.

Parameter names follow that port (style.N, input.input, conv1, to_rgb1,
convs.j, to_rgbs.j, noises.noise_i), so its checkpoints' "g_ema" loads
directly.  Only the pieces needed to run and rewrite are kept.  Blur uses
the usual [1, 3, 3, 1] kernel.

Rewriting needs a plain convolution.  A modulated conv folds the style into
per-sample weights; here it runs as a sequence instead (ALGORITHM.md §6.2):

    key   = x ⊙ s                          (s = style modulation)
    value = conv(key, scale·W)             (linear in W: what gets rewritten)
    out   = value · δ(W, s)                (demodulation)

Only same-resolution convs (conv1 and the odd entries of convs, "layer N"
for even N) are offered for rewriting: upsampling convs are transposed and
blurred, so their value map is not a stride-1 conv of the key map.  δ is
recomputed from the fed weight, so an edit also shifts the demodulation;
the engine's target is the pre-demodulation value.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

BLUR = (1, 3, 3, 1)


def blur_kernel(factor=1):
    k = torch.tensor(BLUR, dtype=torch.float32)
    k = k[None, :] * k[:, None]
    return k / k.sum() * factor ** 2


def fused_lrelu(x, bias):
    shape = [1, -1] + [1] * (x.dim() - 2)
    return F.leaky_relu(x + bias.view(shape), 0.2) * math.sqrt(2)


def depthwise_blur(channels, factor=1):
    """Per-channel blur weight (channels×1×4×4), flipped for conv2d."""
    kernel = blur_kernel(factor).flip(0, 1)
    return kernel.expand(channels, 1, *kernel.shape).clone()


def blur(x, weight, pad):
    x = F.pad(x, (pad[0], pad[1], pad[0], pad[1]))
    return F.conv2d(x, weight, groups=weight.shape[0])


class EqualLinear(nn.Module):
    def __init__(self, in_dim, out_dim, bias_init=0.0, lr_mul=1.0,
                 activation=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init)))
        self.scale = 1 / math.sqrt(in_dim) * lr_mul
        self.lr_mul = lr_mul
        self.activation = activation

    def forward(self, x):
        out = F.linear(x, self.weight * self.scale)
        if self.activation:
            return fused_lrelu(out, self.bias * self.lr_mul)
        return out + self.bias * self.lr_mul


class PixelNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + 1e-8)


class ModulatedConv2d(nn.Module):
    def __init__(self, in_ch, out_ch, kernel, style_dim, demodulate=True,
                 upsample=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1, out_ch, in_ch, kernel,
                                               kernel))
        self.modulation = EqualLinear(style_dim, in_ch, bias_init=1)
        self.scale = 1 / math.sqrt(in_ch * kernel * kernel)
        self.padding = kernel // 2
        self.demodulate = demodulate
        self.upsample = upsample
        if upsample:
            self.register_buffer("blur_kernel", depthwise_blur(out_ch, 2),
                                 persistent=False)

    def forward(self, x, style, weight=None, record=None):
        w = (self.weight[0] if weight is None else weight) * self.scale
        s = self.modulation(style)
        key = x * s.view(s.shape[0], -1, 1, 1)
        if self.upsample:
            value = F.conv_transpose2d(key, w.transpose(0, 1), stride=2)
            value = blur(value, self.blur_kernel, (1, 1))
        else:
            value = F.conv2d(key, w, padding=self.padding)
        if record is not None:
            record.append((key, value))
        if not self.demodulate:
            return value
        demod = torch.rsqrt((w[None] * s[:, None, :, None, None]).pow(2)
                            .sum([2, 3, 4]) + 1e-8)
        return value * demod[:, :, None, None]


class NoiseInjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x, noise):
        return x + self.weight * noise


class StyledConv(nn.Module):
    def __init__(self, in_ch, out_ch, style_dim, upsample=False):
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, out_ch, 3, style_dim,
                                    upsample=upsample)
        self.noise = NoiseInjection()
        self.activate_bias = nn.Parameter(torch.zeros(out_ch))

    def forward(self, x, style, noise, weight=None, record=None):
        x = self.conv(x, style, weight, record)
        return fused_lrelu(self.noise(x, noise), self.activate_bias)


class ToRGB(nn.Module):
    def __init__(self, in_ch, style_dim, upsample=True):
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, 3, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))
        if upsample:
            self.register_buffer("up_kernel", depthwise_blur(3, 2),
                                 persistent=False)
        self.upsample = upsample

    def forward(self, x, style, skip=None):
        out = self.conv(x, style) + self.bias
        if skip is not None:
            # zero-insertion upsampling followed by the blur, as FIR upfirdn
            up = torch.zeros(skip.shape[0], 3, skip.shape[2] * 2,
                             skip.shape[3] * 2, dtype=skip.dtype)
            up[:, :, ::2, ::2] = skip
            out = out + blur(up, self.up_kernel, (2, 1))
        return out


class StyleGan2Generator(nn.Module):
    def __init__(self, size, style_dim=512, n_mlp=8, channel_multiplier=2,
                 channels=None):
        super().__init__()
        self.size, self.style_dim = size, style_dim
        self.channels = channels or {
            4: 512, 8: 512, 16: 512, 32: 512, 64: 256 * channel_multiplier,
            128: 128 * channel_multiplier, 256: 64 * channel_multiplier,
            512: 32 * channel_multiplier, 1024: 16 * channel_multiplier}
        layers = [PixelNorm()] + [
            EqualLinear(style_dim, style_dim, lr_mul=0.01, activation=True)
            for _ in range(n_mlp)]
        self.style = nn.Sequential(*layers)
        self.input = nn.Module()
        self.input.input = nn.Parameter(torch.randn(1, self.channels[4], 4, 4))
        self.conv1 = StyledConv(self.channels[4], self.channels[4], style_dim)
        self.to_rgb1 = ToRGB(self.channels[4], style_dim, upsample=False)
        self.log_size = int(math.log2(size))
        self.num_layers = (self.log_size - 2) * 2 + 1
        self.noises = nn.Module()
        for i in range(self.num_layers):
            res = (i + 5) // 2
            self.noises.register_buffer(f"noise_{i}",
                                        torch.randn(1, 1, 2 ** res, 2 ** res))
        self.convs, self.to_rgbs = nn.ModuleList(), nn.ModuleList()
        in_ch = self.channels[4]
        for i in range(3, self.log_size + 1):
            out_ch = self.channels[2 ** i]
            self.convs.append(StyledConv(in_ch, out_ch, style_dim, True))
            self.convs.append(StyledConv(out_ch, out_ch, style_dim))
            self.to_rgbs.append(ToRGB(out_ch, style_dim))
            in_ch = out_ch
        self.n_latent = self.log_size * 2 - 2


class StyleGan2Split:
    """Adapter the exporter uses.  Layer names follow ALGORITHM.md §6.2:
    conv1 is layer2, convs.j is layer{j+3}; only even layers rewrite."""

    def __init__(self, model):
        self.model = model
        self.z_dim = model.style_dim
        self.resolution = model.size

    def _conv(self, layer):
        n = int(layer[len("layer"):])
        return self.model.conv1 if n == 2 else self.model.convs[n - 3]

    def rewritable(self):
        return [f"layer{n}" for n in range(2, 2 * self.model.log_size - 1, 2)]

    def weight(self, layer):
        return self._conv(layer).conv.weight[0]

    def forward(self, z, weights, record):
        m = self.model
        w = m.style(z)
        noise = [getattr(m.noises, f"noise_{i}") for i in range(m.num_layers)]

        def run(layer, conv, x, noise_i):
            rec = [] if record is not None and layer in record else None
            x = conv(x, w, noise_i, weights.get(layer), rec)
            if rec:
                record[layer] = rec[0]
            return x

        x = m.input.input.repeat(z.shape[0], 1, 1, 1)
        x = run("layer2", m.conv1, x, noise[0])
        skip = m.to_rgb1(x, w)
        for j in range(0, len(m.convs), 2):
            x = run(f"layer{j + 3}", m.convs[j], x, noise[j + 1])
            x = run(f"layer{j + 4}", m.convs[j + 1], x, noise[j + 2])
            skip = m.to_rgbs[j // 2](x, w, skip)
        return skip


def random_stylegan2(size, channels=32, n_mlp=2, style_dim=64, seed=0):
    """A small StyleGAN2 with random weights (for tests)."""
    torch.manual_seed(seed)
    table = {2 ** i: channels for i in range(2, 11)}
    model = StyleGan2Generator(size, style_dim, n_mlp, channels=table)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("noise.weight") or "bias" in name:
                p.normal_(0, 0.1)
    return model


def load_stylegan2(state, size, style_dim=512, n_mlp=8, channel_multiplier=2):
    model = StyleGan2Generator(size, style_dim, n_mlp, channel_multiplier)
    model.load_state_dict(state, strict=False)
    return model
