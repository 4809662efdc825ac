#!/usr/bin/env python3
"""Reference outputs for RecurrentGoldenTest, computed by PyTorch (1.13) from the definitions of
torch.nn.LSTM, GRU, RNN and their cells.

No weights are stored: every parameter, input and initial state comes from the formula u(key, i)
of golden_models.py (SplitMix64 seeded by the key, an exact float in [-0.5, 0.5) for element i,
row-major), which the Java test implements too: parameters (PyTorch state-dict names) are u, the
input is 2 u (key "input"), initial states are u (keys "h0", "c0"). The results go to
recurrent-golden.txt next to this file, one tensor a line (CASE NAME values...), after a line
CASE keys NAME:SHAPE... listing the state dict. Regenerate
(Debian: apt-get install python3-torch python3-torchvision) with

    python3 nn/src/test/resources/golden/golden_recurrent.py
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_models import uniform  # noqa: E402  (the shared formula)


def u(key, shape, scale=1.0):
    n = int(np.prod(shape))
    return torch.from_numpy((scale * uniform(key, n)).astype(np.float32).reshape(shape))


def fill(module):
    module.load_state_dict({k: u(k, tuple(t.shape)) for k, t in module.state_dict().items()})
    return module.eval()


# name -> (module, input shape, initial states given, lengths or None); same names and settings as
# in RecurrentGoldenTest
CASES = {
    "lstm_2layer_bidir": (lambda: nn.LSTM(3, 4, 2, bidirectional=True), (5, 2, 3), True, None),
    "lstm_batch_first_zero_state": (lambda: nn.LSTM(3, 4, 1, batch_first=True), (2, 5, 3), False, None),
    "gru_2layer_bidir_batch_first": (lambda: nn.GRU(3, 4, 2, batch_first=True, bidirectional=True), (2, 5, 3), True, None),
    "rnn_tanh_bidir": (lambda: nn.RNN(3, 4, 1, bidirectional=True), (5, 2, 3), True, None),
    "rnn_relu_2layer_no_bias": (lambda: nn.RNN(3, 4, 2, nonlinearity="relu", bias=False), (5, 2, 3), True, None),
    "lstm_packed_bidir": (lambda: nn.LSTM(3, 4, 2, bidirectional=True), (5, 3, 3), True, [5, 2, 3]),
    "gru_packed_bidir": (lambda: nn.GRU(3, 4, 1, bidirectional=True), (5, 3, 3), True, [3, 5, 1]),
}
CELLS = {
    "lstm_cell": lambda: nn.LSTMCell(3, 4),
    "gru_cell": lambda: nn.GRUCell(3, 4),
    "rnn_cell_relu": lambda: nn.RNNCell(3, 4, nonlinearity="relu"),
}


def keys(case, module):
    """The state-dict keys and shapes, e.g. 'weight_ih_l0:16x3', in PyTorch's order."""
    return case + " keys " + " ".join("%s:%s" % (k, "x".join(str(d) for d in t.shape))
                                      for k, t in module.state_dict().items())


def line(case, name, t):
    return case + " " + name + " " + " ".join("%.9g" % v for v in t.double().flatten().tolist())


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent-golden.txt")
    lines = ["# Outputs of RecurrentGoldenTest's layers, computed by golden_recurrent.py with torch "
             + torch.__version__ + "; one tensor a line: case name values."]
    with torch.no_grad():
        for case, (make, shape, states, lengths) in CASES.items():
            m = fill(make())
            lines.append(keys(case, m))
            x = u("input", shape, 2.0)
            batch = shape[0] if m.batch_first else shape[1]
            d = 2 if m.bidirectional else 1
            hx = None
            if states:
                h0 = u("h0", (m.num_layers * d, batch, m.hidden_size))
                hx = (h0, u("c0", h0.shape)) if isinstance(m, nn.LSTM) else h0
            if lengths is None:
                y, hn = m(x, hx)
            else:
                packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=m.batch_first, enforce_sorted=False)
                y, hn = m(packed, hx)
                y, _ = pad_packed_sequence(y, batch_first=m.batch_first, total_length=shape[1 if m.batch_first else 0])
            lines.append(line(case, "output", y))
            if isinstance(m, nn.LSTM):
                lines.append(line(case, "h", hn[0]))
                lines.append(line(case, "c", hn[1]))
            else:
                lines.append(line(case, "h", hn))
        for case, make in CELLS.items():
            m = fill(make())
            lines.append(keys(case, m))
            x = u("input", (2, 3), 2.0)
            h0 = u("h0", (2, 4))
            if isinstance(m, nn.LSTMCell):
                h, c = m(x, (h0, u("c0", (2, 4))))
                lines.append(line(case, "h", h))
                lines.append(line(case, "c", c))
            else:
                lines.append(line(case, "h", m(x, h0)))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
