"""PyTorch training the networks chroma-bench train measures, for comparison.

    python3 torch_unet.py CASE THREADS

CASE is "a" (the classic 9-layer CAE, `c8 p c12 p c16 u c12 u c2 sigmoid`,
squared error) or "d" (the bundled models' U-Net with its 144-bin head and
soft-target cross-entropy). Prints "torch VERSION" and then "CASE THREADS
IMG/S": training steps (forward, loss, backward, Adam) at batch 32 on random
32 × 32 inputs, the median of 5 epochs of 64 steps after a warm-up epoch, as
chroma-bench times chroma's own. chroma-bench runs this when a Python with
PyTorch is available (CHROMA_BENCH_PYTHON); chroma itself never needs it.
"""
import statistics
import sys
import time

import torch
from torch import nn


def conv(inputs, outputs, batch_norm=True, kernel=3, activation=True):
    layers = [nn.Conv2d(inputs, outputs, kernel, padding=kernel // 2)]  # with a bias, as chroma's
    if batch_norm:
        layers.append(nn.BatchNorm2d(outputs))
    if activation:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def up(x):
    return nn.functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class UNet(nn.Module):
    """c16 p c32:bn c32:bn skip p c64:bn c64:bn skip p c128:bn c128:bn u:bilinear concat
    c64:bn c64:bn u:bilinear concat c32:bn c32:bn c144:k1 u:bilinear"""

    def __init__(self):
        super().__init__()
        self.first = conv(1, 16, batch_norm=False)
        self.down1 = nn.Sequential(conv(16, 32), conv(32, 32))
        self.down2 = nn.Sequential(conv(32, 64), conv(64, 64))
        self.bottom = nn.Sequential(conv(64, 128), conv(128, 128))
        self.up1 = nn.Sequential(conv(192, 64), conv(64, 64))
        self.up2 = nn.Sequential(conv(96, 32), conv(32, 32))
        self.head = conv(32, 144, batch_norm=False, kernel=1, activation=False)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.pool(self.first(x))
        skip1 = self.down1(x)
        skip2 = self.down2(self.pool(skip1))
        x = self.bottom(self.pool(skip2))
        x = self.up1(torch.cat([up(x), skip2], 1))
        x = self.up2(torch.cat([up(x), skip1], 1))
        return up(self.head(x))


class CAE(nn.Module):
    """c8 p c12 p c16 u c12 u c2 sigmoid"""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            conv(1, 8, batch_norm=False), nn.MaxPool2d(2), conv(8, 12, batch_norm=False), nn.MaxPool2d(2),
            conv(12, 16, batch_norm=False), nn.Upsample(scale_factor=2), conv(16, 12, batch_norm=False),
            nn.Upsample(scale_factor=2), conv(12, 2, batch_norm=False, activation=False), nn.Sigmoid())

    def forward(self, x):
        return self.layers(x)


def soft_bins(targets, side=12):
    """Each pixel's two values in 0…1 spread over the four nearest of side × side bin centres
    (bilinear weights), as chroma's bins loss encodes its targets."""
    position = targets.clamp(0, 1) * side - 0.5
    low = position.floor().clamp(0, side - 1)
    high = (low + 1).clamp(max=side - 1)
    t = (position - low).clamp(0, 1)
    batch, _, height, width = targets.shape
    q = torch.zeros(batch, side * side, height, width)
    for a, wa in ((low[:, 0], 1 - t[:, 0]), (high[:, 0], t[:, 0])):
        for b, wb in ((low[:, 1], 1 - t[:, 1]), (high[:, 1], t[:, 1])):
            q.scatter_add_(1, (a * side + b).long().unsqueeze(1), (wa * wb).unsqueeze(1))
    return q


def rate(case, threads):
    torch.manual_seed(1)
    torch.set_num_threads(threads)
    batch, steps = 32, 64
    network = UNet() if case == "d" else CAE()
    optimiser = torch.optim.Adam(network.parameters(), lr=2e-3)
    inputs = torch.rand(batch, 1, 32, 32)
    targets = torch.rand(batch, 2, 32, 32)
    if case == "d":
        q = soft_bins(targets)
        loss_of = lambda y: -(q * torch.log_softmax(y, 1)).sum(1).mean()
    else:
        loss_of = lambda y: ((y - targets) ** 2).mean()
    network.train()
    rates = []
    for epoch in range(6):
        start = time.perf_counter()
        for _ in range(steps):
            optimiser.zero_grad(set_to_none=True)
            loss = loss_of(network(inputs))
            loss.backward()
            optimiser.step()
        seconds = time.perf_counter() - start
        if epoch > 0:
            rates.append(batch * steps / seconds)
    return statistics.median(rates)


if __name__ == "__main__":
    case, threads = sys.argv[1], int(sys.argv[2])
    print("torch", torch.__version__)
    print(case, threads, f"{rate(case, threads):.1f}")
