"""The race's peer: ganzoo's DCGAN (trainer/families/dcgan.ts) and WGAN-GP (trainer/families/wgan.ts, the
same networks with a critic without batch norm) written in PyTorch.

  python dcgan.py --data FILE --batch 64 --steps 10 --repeats 3 [--g-ch 128 --d-ch 64] [--wgan-gp] [--threads N]

FILE holds float32 MNIST batches in [-1, 1] (N x 28 x 28, written by bench/race.ts, the same batches
ganzoo's trainer draws). Prints one JSON line: images per second of each repeat, of wall-clock time and of CPU time (all threads). A step is what ganzoo's stepper does:
G forward once, a D phase (D on real and on the fake batch detached, Adam on D), then a G phase (D on
the same fake batch, non-saturating loss, gradients through D to G, Adam on G). With --wgan-gp a step is
what ganzoo's Wasserstein phases do: five critic updates, each on its own real batch and z (the first on the
fake batch G's update reuses), the critic's Wasserstein loss plus 10 x the gradient penalty (second-order
gradients), Adam 1e-4 / 0 / 0.9; then G's update on -D(fake).
"""

import argparse
import json
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

LATENT, K, N_CRITIC, GP_WEIGHT = 100, 5, 5, 10.0


class Generator(nn.Module):
    def __init__(self, g_ch: int) -> None:
        super().__init__()
        self.g_ch = g_ch
        self.fc = nn.Linear(LATENT, 7 * 7 * g_ch, bias=False)
        self.bn0 = nn.BatchNorm1d(7 * 7 * g_ch, eps=1e-5, momentum=0.1)
        # padding 2 + output_padding 1: 'same' with stride 2, 7 -> 14 -> 28, as tfjs's conv2dTranspose.
        self.up1 = nn.ConvTranspose2d(g_ch, g_ch // 2, K, 2, padding=2, output_padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(g_ch // 2, eps=1e-5, momentum=0.1)
        self.up2 = nn.ConvTranspose2d(g_ch // 2, 1, K, 2, padding=2, output_padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn0(self.fc(z))).view(-1, self.g_ch, 7, 7)
        h = F.relu(self.bn1(self.up1(h)))
        return torch.tanh(self.up2(h))


class Discriminator(nn.Module):
    def __init__(self, d_ch: int, batch_norm: bool) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, d_ch, K, 2, padding=2)
        self.c2 = nn.Conv2d(d_ch, d_ch * 2, K, 2, padding=2, bias=not batch_norm)
        self.bn2 = nn.BatchNorm2d(d_ch * 2, eps=1e-5, momentum=0.1) if batch_norm else nn.Identity()
        self.fc = nn.Linear(7 * 7 * d_ch * 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.bn2(self.c2(h)), 0.2)
        return self.fc(h.flatten(1))


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP's penalty, as trainer/losses/gradient-penalty.ts computes it."""
    mix = torch.rand(real.shape[0], 1, 1, 1)
    x_hat = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    norms = torch.sqrt(grad.square().sum(dim=(1, 2, 3)) + 1e-12)
    return (norms - 1).square().mean()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 keeps PyTorch's default")
    p.add_argument("--g-ch", type=int, default=128, help="G's widest feature maps (ganzoo's gChannels)")
    p.add_argument("--d-ch", type=int, default=64, help="D's first conv width (ganzoo's dChannels)")
    p.add_argument("--wgan-gp", action="store_true", help="WGAN-GP's step in place of DCGAN's")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    images = torch.from_numpy(np.fromfile(a.data, dtype=np.float32)).view(-1, 1, 28, 28)
    batches = images.shape[0] // a.batch
    if batches < 1:
        raise SystemExit(f"{a.data}: {images.shape[0]} images, fewer than one batch of {a.batch}")

    G, D = Generator(a.g_ch), Discriminator(a.d_ch, batch_norm=not a.wgan_gp)
    lr, betas = (1e-4, (0.0, 0.9)) if a.wgan_gp else (2e-4, (0.5, 0.999))
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas, eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas, eps=1e-8)

    def wgan_gp_step(i: int) -> float:
        fake = G(torch.randn(a.batch, LATENT))
        for r in range(N_CRITIC):
            j = (i * N_CRITIC + r) % batches
            real = images[j * a.batch : (j + 1) * a.batch]
            critic_fake = fake.detach() if r == 0 else G(torch.randn(a.batch, LATENT)).detach()
            d_loss = D(critic_fake).mean() - D(real).mean() + GP_WEIGHT * gradient_penalty(D, real, critic_fake)
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
        D.requires_grad_(False)
        g_loss = -D(fake).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        D.requires_grad_(True)
        return d_loss.item() + g_loss.item()

    def step(i: int) -> float:
        real = images[(i % batches) * a.batch : (i % batches + 1) * a.batch]
        z = torch.randn(a.batch, LATENT)
        # G runs once; the D phase sees its output as a constant (ganzoo's Gan.generate).
        fake = G(z)
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        # G phase: gradients flow through D to G; D's own weight gradients are not computed.
        D.requires_grad_(False)
        g_loss = F.softplus(-D(fake)).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        D.requires_grad_(True)
        return d_loss.item() + g_loss.item()

    if a.wgan_gp:
        step = wgan_gp_step
    for i in range(3):  # warm-up, as bench/race.ts does for ganzoo
        step(i)
    rates, cpu_rates = [], []
    for r in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(a.steps):
            step(3 + r * a.steps + i)
        rates.append(a.steps * a.batch / (time.perf_counter() - t0))
        cpu_rates.append(a.steps * a.batch / (time.process_time() - c0))
    print(
        json.dumps(
            {
                "imagesPerSecond": rates,
                "imagesPerCpuSecond": cpu_rates,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "mkldnn": torch.backends.mkldnn.is_available(),
            }
        )
    )


if __name__ == "__main__":
    main()
