"""Train the town64 GAN on rendered scenes, resumably, on CPU.

    /usr/bin/python3 models/train_gan.py --work models/.work/town64 --steps 20000

Writes <work>/latest.pt (resume point), <work>/step_<N>.pt every
--keep-every steps (candidates for export) and <work>/samples_<N>.png.
Uses the non-saturating logistic loss, a spectrally normalised
discriminator and an exponential moving average of the generator weights;
the EMA generator is what gets exported.
"""

import argparse
import copy
import os
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "scenes"))
import render  # noqa: E402
from town_gan import Z_DIM, Discriminator, Generator  # noqa: E402


def load_images(path, count):
    if not os.path.exists(path):
        print(f"rendering {count} scenes to {path}", flush=True)
        images, labels = render.render_many(0, count)
        np.savez_compressed(path, images=images, labels=labels, first_seed=0)
    images = np.load(path)["images"]
    tensor = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    return tensor / 127.5 - 1.0


def save_grid(images, path):
    from PIL import Image
    grid = ((images[:64].clamp(-1, 1) + 1) * 127.5).round().byte()
    grid = grid.view(8, 8, 3, 64, 64).permute(0, 3, 1, 4, 2)
    Image.fromarray(grid.reshape(512, 512, 3).numpy()).save(path)


def ema_update(ema, model, decay):
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters()):
            e.mul_(decay).add_(p, alpha=1 - decay)


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    data = load_images(args.data, args.count)
    generator, discriminator = Generator(), Discriminator()
    ema = copy.deepcopy(generator).eval()
    opt_g = torch.optim.Adam(generator.parameters(), 2e-4, betas=(0.5, 0.99))
    opt_d = torch.optim.Adam(discriminator.parameters(), 2e-4,
                             betas=(0.5, 0.99))
    step = 0
    latest = os.path.join(args.work, "latest.pt")
    if os.path.exists(latest):
        state = torch.load(latest)
        generator.load_state_dict(state["generator"])
        discriminator.load_state_dict(state["discriminator"])
        ema.load_state_dict(state["ema"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        step = state["step"]
        print(f"resumed at step {step}", flush=True)

    fixed_z = torch.randn(64, Z_DIM, generator=torch.Generator().manual_seed(0))
    started = time.time()
    while step < args.steps:
        index = torch.randint(0, len(data), (args.batch,))
        real = data[index]
        flip = torch.rand(args.batch) < 0.5
        real[flip] = real[flip].flip(3)

        fake = generator(torch.randn(args.batch, Z_DIM))
        loss_d = (F.softplus(-discriminator(real)).mean()
                  + F.softplus(discriminator(fake.detach())).mean())
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        loss_g = F.softplus(-discriminator(fake)).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        ema_update(ema, generator, min(args.ema, (1 + step) / (10 + step)))
        step += 1

        if step % 50 == 0:
            rate = (time.time() - started) / 50
            started = time.time()
            print(f"step {step} loss_d {loss_d.item():.3f} "
                  f"loss_g {loss_g.item():.3f} {rate:.2f}s/step", flush=True)
        if step % args.save_every == 0 or step == args.steps:
            state = {"generator": generator.state_dict(),
                     "discriminator": discriminator.state_dict(),
                     "ema": ema.state_dict(), "opt_g": opt_g.state_dict(),
                     "opt_d": opt_d.state_dict(), "step": step,
                     "settings": vars(args)}
            torch.save(state, latest + ".tmp")
            os.replace(latest + ".tmp", latest)
            with torch.no_grad():
                save_grid(ema(fixed_z),
                          os.path.join(args.work, f"samples_{step}.png"))
        if step % args.keep_every == 0:
            torch.save({"ema": ema.state_dict(), "step": step,
                        "settings": vars(args)},
                       os.path.join(args.work, f"step_{step}.pt"))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="models/.work/town64")
    parser.add_argument("--data", default="models/.work/town64.npz")
    parser.add_argument("--count", type=int, default=30000)
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--ema", type=float, default=0.999)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-every", type=int, default=250)
    parser.add_argument("--keep-every", type=int, default=1000)
    train(parser.parse_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
