"""The paper authors' SVHN DCGAN (Newmu/dcgan_code), run in numpy as their Theano code runs it.

Written from `svhn/svhn_semisup_analysis.py` (gen, discrim) and `lib/ops.py` (batchnorm, deconv) of
Newmu/dcgan_code, not from the studio's code, so the studio's import is checked against an independent
reading of the authors' semantics:

- `dnn_conv(X, w, subsample=(2, 2), border_mode=(2, 2))` with cuDNN's default conv_mode='conv': a true
  convolution (the kernel flipped against the cross-correlation deep-learning frameworks compute), zero padding
  2 on every side, stride 2.
- `deconv(X, w, subsample=(2, 2), border_mode=(2, 2))`: cuDNN's gradient of that convolution with respect to
  its input, for an input exactly twice X's size; w is (channels of X, channels of the result, 5, 5).
- `batchnorm(X, g, b)` without u, s: the batch's own mean and (biased) variance, eps 1e-8; per channel for
  4-d X (over batch, rows, columns), per unit for 2-d X.

  forward MODEL_DIR --z Z.json --out OUT.json
      G on the z in Z.json (a JSON array of 100-long arrays) as one batch, and D on those images as one batch,
      both with batch statistics. Writes {"images": [NCHW flattened per sample], "d": [...]}.
"""
import argparse
import json
import os

import numpy as np


def params(model_dir, prefix, count):
    """The .npy arrays joblib stored beside the pickle, in their numeric order (the pickle only lists them)."""
    return [np.load(os.path.join(model_dir, f"{prefix}.jl_{i:02d}.npy")).astype(np.float64) for i in range(1, count + 1)]


def conv(x, w):
    """dnn_conv, conv_mode 'conv', stride 2, pad 2: out[o, i, j] = sum x_pad[c, 2i + p, 2j + q] w[o, c, 4 - p, 4 - q]."""
    n, c, h, wd = x.shape
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    ho, wo = (h + 4 - k) // 2 + 1, (wd + 4 - k) // 2 + 1
    out = np.zeros((n, w.shape[0], ho, wo))
    for p in range(k):
        for q in range(k):
            patch = xp[:, :, p:p + 2 * ho - 1:2, q:q + 2 * wo - 1:2]
            out += np.einsum('nchw,oc->nohw', patch, w[:, :, k - 1 - p, k - 1 - q])
    return out


def deconv(y, w):
    """The adjoint of conv for an input of twice y's size: each y[o, i, j] spreads y * w[o, c, 4 - p, 4 - q] onto x_pad[c, 2i + p, 2j + q]."""
    n, o, h, wd = y.shape
    k = w.shape[2]
    xp = np.zeros((n, w.shape[1], 2 * h + 4, 2 * wd + 4))
    for p in range(k):
        for q in range(k):
            xp[:, :, p:p + 2 * h - 1:2, q:q + 2 * wd - 1:2] += np.einsum('nohw,oc->nchw', y, w[:, :, k - 1 - p, k - 1 - q])
    return xp[:, :, 2:2 + 2 * h, 2:2 + 2 * wd]


def batchnorm(x, g, b, e=1e-8):
    axes = (0, 2, 3) if x.ndim == 4 else (0,)
    shape = (1, -1, 1, 1) if x.ndim == 4 else (1, -1)
    u = x.mean(axis=axes).reshape(shape)
    s = ((x - u) ** 2).mean(axis=axes).reshape(shape)
    return (x - u) / np.sqrt(s + e) * g.reshape(shape) + b.reshape(shape)


def relu(x):
    return np.maximum(x, 0)


def lrelu(x, a=0.2):
    return ((1 + a) / 2) * x + ((1 - a) / 2) * np.abs(x)


def gen(z, w, g, b, w2, g2, b2, w3, g3, b3, wx):
    h = relu(batchnorm(z @ w, g, b))
    h = h.reshape((h.shape[0], w2.shape[0], 4, 4))
    h2 = relu(batchnorm(deconv(h, w2), g2, b2))
    h3 = relu(batchnorm(deconv(h2, w3), g3, b3))
    return np.tanh(deconv(h3, wx))


def discrim(x, w, w2, g2, b2, w3, g3, b3, wy):
    h = lrelu(conv(x, w))
    h2 = lrelu(batchnorm(conv(h, w2), g2, b2))
    h3 = lrelu(batchnorm(conv(h2, w3), g3, b3))
    h3 = h3.reshape((h3.shape[0], -1))
    return 1 / (1 + np.exp(-(h3 @ wy)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('command', choices=['forward'])
    parser.add_argument('model_dir')
    parser.add_argument('--z', required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    with open(args.z) as f:
        z = np.array(json.load(f), dtype=np.float64)
    images = gen(z, *params(args.model_dir, '200_gen_params', 10))
    d = discrim(images, *params(args.model_dir, '200_discrim_params', 8))
    with open(args.out, 'w') as f:
        json.dump({'images': images.reshape((images.shape[0], -1)).tolist(), 'd': d.reshape(-1).tolist()}, f)
    print(json.dumps({'samples': int(images.shape[0]), 'min': float(images.min()), 'max': float(images.max())}))


if __name__ == '__main__':
    main()
