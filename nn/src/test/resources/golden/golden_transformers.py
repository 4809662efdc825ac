#!/usr/bin/env python3
"""Reference values for the vision transformer and BERT tests, computed by PyTorch (1.13).

Run from anywhere (needs torch and torchvision 0.14; Debian: apt-get install python3-torch
python3-torchvision):

    python3 nn/src/test/resources/golden/golden_transformers.py

It writes, next to this file:
  transformer-golden.txt   one entry a line, "name v1 v2 ...": the logits of a small torchvision
                           VisionTransformer and the outputs of a tiny BERT, with every weight and
                           input from golden_models.py's formula (ModelGoldenTest's GoldenWeights);
  vit_b_16-state.txt       torchvision's vit_b_16(num_classes=1000) state dict: "key shape" lines in order;
  bert-tiny-state.txt      the tiny BERT's state dict (Hugging Face BertForSequenceClassification names);
  tiny-bn.safetensors      a small PyTorch model with batch norm, trained 3 steps, saved as PyTorch's
                           safetensors export is (int64 num_batches_tracked as I64, format "pt");
  tiny-bn-io.safetensors   an input and the eval-mode output of that model.

transformers is not installed here, so BertModel is written out below in plain torch, following
Hugging Face's modeling_bert.py (class and attribute names, post-LayerNorm, exact GELU, additive
mask (1 - mask) * finfo.min, pooler on the first token).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from golden_models import fill, value  # noqa: E402  (the shared weight formula)


# ------------------------------------------------------------------ BERT, as modeling_bert.py

class Config:
    vocab_size = 50
    hidden_size = 32
    num_hidden_layers = 2
    num_attention_heads = 4
    intermediate_size = 64
    max_position_embeddings = 16
    type_vocab_size = 2
    layer_norm_eps = 1e-12
    hidden_dropout_prob = 0.1
    attention_probs_dropout_prob = 0.1
    pad_token_id = 0


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.register_buffer("position_ids", torch.arange(c.max_position_embeddings).expand((1, -1)), persistent=False)

    def forward(self, input_ids, token_type_ids):
        seq_length = input_ids.shape[1]
        position_ids = self.position_ids[:, :seq_length]
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_attention_heads = c.num_attention_heads
        self.attention_head_size = c.hidden_size // c.num_attention_heads
        self.all_head_size = c.hidden_size
        self.query = nn.Linear(c.hidden_size, self.all_head_size)
        self.key = nn.Linear(c.hidden_size, self.all_head_size)
        self.value = nn.Linear(c.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        return x.view(x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        if attention_mask is not None:
            attention_scores = attention_scores + attention_mask
        attention_probs = self.dropout(nn.functional.softmax(attention_scores, dim=-1))
        context_layer = torch.matmul(attention_probs, value_layer).permute(0, 2, 1, 3).contiguous()
        return context_layer.view(context_layer.size()[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.intermediate_act_fn = nn.GELU()

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        extended = attention_mask[:, None, None, :].to(torch.float32)
        extended = (1.0 - extended) * torch.finfo(torch.float32).min
        sequence_output = self.encoder(self.embeddings(input_ids, token_type_ids), extended)
        return sequence_output, self.pooler(sequence_output)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c, num_labels):
        super().__init__()
        self.bert = BertModel(c)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.classifier = nn.Linear(c.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(pooled))


def bert_inputs():
    """ids[b, s] = (7 b + 3 s + 1) mod vocab for b = 0..1, s = 0..6; row 1's last 3 tokens are
    padding (id 0, mask 0); token types 0 for s < 3 and 1 after."""
    b, s, vocab = 2, 7, Config.vocab_size
    ids = torch.tensor([[(7 * i + 3 * j + 1) % vocab for j in range(s)] for i in range(b)])
    mask = torch.ones(b, s, dtype=torch.long)
    mask[1, 4:] = 0
    ids[1, 4:] = Config.pad_token_id
    types = torch.tensor([[0 if j < 3 else 1 for j in range(s)] for _ in range(b)])
    return ids, mask, types


# ------------------------------------------------------------------ safetensors, as the library writes it

SAFE_DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.float16: "F16", torch.int32: "I32"}


def save_safetensors(tensors, path, metadata=None):
    """The safetensors format as safetensors.torch.save_file writes it: data sorted by dtype size
    (largest first) then name, header keys sorted, padded with spaces to a multiple of 8."""
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, blobs, offset = {}, [], 0
    for name, t in items:
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": SAFE_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    ordered = {}
    if metadata:
        ordered["__metadata__"] = metadata
    for k in sorted(header):
        ordered[k] = header[k]
    text = json.dumps(ordered, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def tiny_bn_model():
    """dev.tessera: new Sequential(new Conv2d(3, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new Flatten(), new Linear(64, 3))."""
    return nn.Sequential(nn.Conv2d(3, 4, 3, 1, 1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))


# ------------------------------------------------------------------ main

def line(name, t):
    return name + " " + " ".join("%.9g" % v for v in t.detach().double().flatten().tolist())


def state_lines(model):
    return ["%s %s" % (k, "x".join(str(s) for s in v.shape) or "scalar") for k, v in model.state_dict().items()]


def main():
    torch.manual_seed(0)
    lines = ["# Written by golden_transformers.py with torch " + torch.__version__ + ", torchvision "
             + torchvision.__version__ + "; one entry a line: name, then values row-major."]
    with torch.no_grad():
        vit = fill(torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4,
                                                         hidden_dim=32, mlp_dim=64, num_classes=10))
        lines.append(line("vit_small", vit(value("input", (2, 3, 32, 32)))))

        bert = fill(BertForSequenceClassification(Config, 3))
        ids, mask, types = bert_inputs()
        last, pooled = bert.bert(ids, mask, types)
        lines.append(line("bert_last_hidden", last))
        lines.append(line("bert_pooled", pooled))
        lines.append(line("bert_logits", bert(ids, mask, types)))
        last_nomask, _ = bert.bert(ids)
        lines.append(line("bert_last_hidden_nomask", last_nomask))
    with open(os.path.join(HERE, "transformer-golden.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")

    with open(os.path.join(HERE, "vit_b_16-state.txt"), "w") as f:
        vit_b_16 = torchvision.models.vit_b_16()
        f.write("# torchvision %s vit_b_16(num_classes=1000).state_dict(): key shape; %d parameters\n"
                % (torchvision.__version__, sum(p.numel() for p in vit_b_16.parameters())))
        f.write("\n".join(state_lines(vit_b_16)) + "\n")
    with open(os.path.join(HERE, "bert-tiny-state.txt"), "w") as f:
        f.write("# the tiny BertForSequenceClassification(Config, 3) of golden_transformers.py: key shape\n")
        f.write("\n".join(state_lines(BertForSequenceClassification(Config, 3))) + "\n")

    torch.manual_seed(17)
    model = tiny_bn_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        x = torch.randn(8, 3, 4, 4) * 2 + 0.5
        loss = model(x).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    save_safetensors(model.state_dict(), os.path.join(HERE, "tiny-bn.safetensors"), {"format": "pt"})
    x = torch.randn(2, 3, 4, 4)
    with torch.no_grad():
        save_safetensors({"input": x, "output": model(x)}, os.path.join(HERE, "tiny-bn-io.safetensors"))
    print("wrote the golden files to", HERE)


if __name__ == "__main__":
    main()
