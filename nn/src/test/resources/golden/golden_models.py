#!/usr/bin/env python3
"""Reference logits for ModelGoldenTest, computed by PyTorch (1.13) and torchvision (0.14).

Every weight, buffer and input value comes from a formula that ModelGoldenTest's GoldenWeights
implements too, so no weights are stored: only the logits, in model-logits.txt next to this file.
Regenerate (Debian: apt-get install python3-torch python3-torchvision) with

    python3 nn/src/test/resources/golden/golden_models.py

The formula: u(key, i) = (splitmix64(hash(key) + (i + 1) * 0x9E3779B97F4A7C15) >> 40) / 2^24 - 0.5,
an exact float in [-0.5, 0.5) for element i (row-major) of the state-dict entry named key, where
hash(key) = fold(h = 31 * h + char) from 1125899906842597 (Java's String-hash style on 64 bits).
Convolution and linear weights get u * sqrt(24 / fan_in), norm weights 1 + 0.4 u, biases 0.2 u,
running means 0.2 u, running variances 1 + u, and the input 2 u (key "input").
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torchvision

M64 = (1 << 64) - 1


def key_hash(key):
    h = 1125899906842597
    for c in key:
        h = (31 * h + ord(c)) & M64
    return h


def uniform(key, n):
    """The n values u(key, 0..n-1) as float64 (each exactly a float32)."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(key_hash(key)) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) * 2.0**-24 - 0.5


def value(key, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, n)
    if key == "input":
        v = 2.0 * u
    elif key.endswith("running_var"):
        v = 1.0 + u
    elif key.endswith("running_mean"):
        v = 0.2 * u
    elif len(shape) >= 2:
        v = u * math.sqrt(24.0 / (n // shape[0]))
    elif key.endswith("weight"):
        v = 1.0 + 0.4 * u
    else:
        v = 0.2 * u
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def fill(model):
    state = {}
    for k, t in model.state_dict().items():
        state[k] = t if k.endswith("num_batches_tracked") else value(k, tuple(t.shape))
    model.load_state_dict(state)
    return model.eval()


class LeNet(nn.Module):
    """dev.tessera.nn.models.LeNet(10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.fc1(x.flatten(1)))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class Vgg(nn.Module):
    """dev.tessera.nn.models.Vgg(config, batchNorm, inChannels, numClasses, dropout)."""

    def __init__(self, config, batch_norm, in_channels, num_classes):
        super().__init__()
        layers = []
        c = in_channels
        for v in config:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers.append(nn.Conv2d(c, v, 3, padding=1, bias=not batch_norm))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(v))
                layers.append(nn.ReLU())
                c = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(c, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)))


# name -> (model, input shape); the same names and shapes as in ModelGoldenTest
MODELS = {
    "lenet": (lambda: LeNet(), (2, 1, 28, 28)),
    "vgg_small": (lambda: Vgg([32, 32, "M", 64, 64, "M", 128, 128, "M"], True, 3, 10), (2, 3, 32, 32)),
    "vgg_bias": (lambda: Vgg([8, "M", 16, "M"], False, 3, 10), (2, 3, 16, 16)),
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=10), (2, 3, 32, 32)),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model-logits.txt")
    lines = ["# Logits of ModelGoldenTest's models, computed by golden_models.py with torch "
             + torch.__version__ + ", torchvision " + torchvision.__version__ + "; one model a line."]
    with torch.no_grad():
        for name, (make, shape) in MODELS.items():
            torch.manual_seed(0)
            model = fill(make())
            logits = model(value("input", shape)).double().flatten().tolist()
            lines.append(name + " " + " ".join("%.9g" % v for v in logits))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
