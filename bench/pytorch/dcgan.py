"""The race's peer: ganzoo's DCGAN (trainer/families/dcgan.ts, default 'wide' sizes) written in PyTorch.

  python dcgan.py --data FILE --batch 64 --steps 10 --repeats 3 [--threads N]

FILE holds float32 MNIST batches in [-1, 1] (N x 28 x 28, written by bench/race.ts, the same batches
ganzoo's trainer draws). Prints one JSON line: images per second of each repeat, of wall-clock time and of CPU time (all threads). A step is what ganzoo's stepper does:
G forward once, a D phase (D on real and on the fake batch detached, Adam on D), then a G phase (D on
the same fake batch, non-saturating loss, gradients through D to G, Adam on G).
"""

import argparse
import json
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

LATENT, G_CH, D_CH, K = 100, 128, 64, 5


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(LATENT, 7 * 7 * G_CH, bias=False)
        self.bn0 = nn.BatchNorm1d(7 * 7 * G_CH, eps=1e-5, momentum=0.1)
        # padding 2 + output_padding 1: 'same' with stride 2, 7 -> 14 -> 28, as tfjs's conv2dTranspose.
        self.up1 = nn.ConvTranspose2d(G_CH, G_CH // 2, K, 2, padding=2, output_padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(G_CH // 2, eps=1e-5, momentum=0.1)
        self.up2 = nn.ConvTranspose2d(G_CH // 2, 1, K, 2, padding=2, output_padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn0(self.fc(z))).view(-1, G_CH, 7, 7)
        h = F.relu(self.bn1(self.up1(h)))
        return torch.tanh(self.up2(h))


class Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, D_CH, K, 2, padding=2)
        self.c2 = nn.Conv2d(D_CH, D_CH * 2, K, 2, padding=2, bias=False)
        self.bn2 = nn.BatchNorm2d(D_CH * 2, eps=1e-5, momentum=0.1)
        self.fc = nn.Linear(7 * 7 * D_CH * 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.bn2(self.c2(h)), 0.2)
        return self.fc(h.flatten(1))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 keeps PyTorch's default")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    images = torch.from_numpy(np.fromfile(a.data, dtype=np.float32)).view(-1, 1, 28, 28)
    batches = images.shape[0] // a.batch
    if batches < 1:
        raise SystemExit(f"{a.data}: {images.shape[0]} images, fewer than one batch of {a.batch}")

    G, D = Generator(), Discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)

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
