"""pytorch/examples' dcgan/main.py networks, for the tests of the model import and export.

Generator and Discriminator are main.py's, written for any of the studio's image sizes (main.py itself is
64 px: 32 px has one block fewer, 128 one more, numbered the same way). Commands, each printing one JSON line:

  save  OUT --size S --nz NZ --ngf G --ndf D --nc C --seed N [--steps K] [--samples M] [--init-std STD] [--prefix main.|none|module.main.]
        [--legacy] [--safetensors] [--only G|D]
        builds both nets with main.py's weights_init, trains them K steps on random images with main.py's losses
        and Adam settings, sets BatchNorm's running statistics to the activations' own (a few batches in train
        mode, as a long training leaves them, so that eval() images span [-1, 1] instead of staying near 0
        and a wrong layout cannot hide in tiny numbers), saves netG.pth and netD.pth
        (or .safetensors), and writes outputs.json: M fixed z ~ N(0, 1), G(z) in eval() mode (NCHW), and D's
        outputs in eval() mode on those images and on M random images.
  other FILE --size 32 --nz 1 --ngf 1 --ndf 1 --nc 1
        saves the state dict of a network that is not a DCGAN (a small classifier) to FILE.
  check DIR --size S --nz NZ --ngf G --ndf D --nc C --z Z.json
        loads DIR/netG.pth and DIR/netD.pth (torch.load weights_only) into main.py's nets with load_state_dict (strict) and writes
        DIR/check.json: G(z) for the z in Z.json and D on those images, in eval() mode.
"""
import argparse
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, nz, ngf, nc, size):
        super().__init__()
        n = int(math.log2(size // 4))
        layers = [nn.ConvTranspose2d(nz, ngf * 2 ** (n - 1), 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 2 ** (n - 1)), nn.ReLU(True)]
        for i in range(n - 1, 0, -1):
            layers += [nn.ConvTranspose2d(ngf * 2 ** i, ngf * 2 ** (i - 1), 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2 ** (i - 1)), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self, ndf, nc, size):
        super().__init__()
        n = int(math.log2(size // 4))
        layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        for i in range(1, n):
            layers += [nn.Conv2d(ndf * 2 ** (i - 1), ndf * 2 ** i, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2 ** i), nn.LeakyReLU(0.2, inplace=True)]
        layers += [nn.Conv2d(ndf * 2 ** (n - 1), 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def weights_init(std):
    # main.py's, with its 0.02 as a parameter: tests use more, for images that use the whole range.
    def init(m):
        classname = m.__class__.__name__
        if classname.find('Conv') != -1:
            torch.nn.init.normal_(m.weight, 0.0, std)
        elif classname.find('BatchNorm') != -1:
            torch.nn.init.normal_(m.weight, 1.0, std)
            torch.nn.init.normal_(m.bias, 0.0, std)
    return init


def train(netG, netD, args):
    criterion = nn.BCELoss()
    optimizerD = torch.optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
    batch = 8
    for _ in range(args.steps):
        real = torch.rand(batch, args.nc, args.size, args.size) * 2 - 1
        netD.zero_grad()
        errD_real = criterion(netD(real), torch.full((batch,), 1.0))
        errD_real.backward()
        fake = netG(torch.randn(batch, args.nz, 1, 1))
        errD_fake = criterion(netD(fake.detach()), torch.full((batch,), 0.0))
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        errG = criterion(netD(fake), torch.full((batch,), 1.0))
        errG.backward()
        optimizerG.step()


def calibrate_batch_norm(netG, netD, args):
    bns = [m for m in list(netG.modules()) + list(netD.modules()) if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the batches below
    with torch.no_grad():
        for _ in range(4):
            fake = netG(torch.randn(16, args.nz, 1, 1))
            netD(fake)
            netD(torch.rand(16, args.nc, args.size, args.size) * 2 - 1)
    for m in bns:
        m.momentum = 0.1


def write_safetensors(state, path):
    header, chunks, offset = {}, [], 0
    for key, tensor in state.items():
        t = tensor.detach().contiguous()
        dtype = {torch.float32: 'F32', torch.int64: 'I64'}[t.dtype]
        data = t.numpy().tobytes()
        header[key] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def renamed(state, prefix):
    if prefix == 'main.':
        return state
    out = type(state)()
    for key, value in state.items():
        bare = key[len('main.'):]
        out[bare if prefix == 'none' else prefix + bare] = value
    return out


def outputs(netG, netD, z, args, extra=None):
    netG.eval()
    netD.eval()
    with torch.no_grad():
        images = netG(z)
        result = {'z': z.view(z.shape[0], -1).tolist(), 'images': images.reshape(images.shape[0], -1).tolist(), 'dOnImages': netD(images).tolist()}
        if extra is not None:
            result['random'] = extra.reshape(extra.shape[0], -1).tolist()
            result['dOnRandom'] = netD(extra).tolist()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('command', choices=['save', 'check', 'other'])
    parser.add_argument('dir')
    for name in ['size', 'nz', 'ngf', 'ndf', 'nc']:
        parser.add_argument('--' + name, type=int, required=True)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--samples', type=int, default=4)
    parser.add_argument('--prefix', default='main.')
    parser.add_argument('--legacy', action='store_true')
    parser.add_argument('--safetensors', action='store_true')
    parser.add_argument('--only', choices=['G', 'D'])
    parser.add_argument('--z')
    parser.add_argument('--init-std', type=float, default=0.02)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    netG = Generator(args.nz, args.ngf, args.nc, args.size)
    netD = Discriminator(args.ndf, args.nc, args.size)
    if args.command == 'other':
        classifier = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))
        torch.save(classifier.state_dict(), args.dir)
        print(json.dumps({'ok': True}))
        return 0
    os.makedirs(args.dir, exist_ok=True)
    if args.command == 'save':
        netG.apply(weights_init(args.init_std))
        netD.apply(weights_init(args.init_std))
        train(netG, netD, args)
        calibrate_batch_norm(netG, netD, args)
        for name, net in [('G', netG), ('D', netD)]:
            if args.only and args.only != name:
                continue
            state = renamed(net.state_dict(), args.prefix)
            if args.safetensors:
                write_safetensors(state, os.path.join(args.dir, 'net%s.safetensors' % name))
            else:
                torch.save(state, os.path.join(args.dir, 'net%s.pth' % name), _use_new_zipfile_serialization=not args.legacy)
        z = torch.randn(args.samples, args.nz, 1, 1)
        extra = torch.rand(args.samples, args.nc, args.size, args.size) * 2 - 1
        with open(os.path.join(args.dir, 'outputs.json'), 'w') as f:
            json.dump(outputs(netG, netD, z, args, extra), f)
    else:
        netG.load_state_dict(torch.load(os.path.join(args.dir, 'netG.pth'), weights_only=True))
        netD.load_state_dict(torch.load(os.path.join(args.dir, 'netD.pth'), weights_only=True))
        with open(args.z) as f:
            z = torch.tensor(json.load(f), dtype=torch.float32).view(-1, args.nz, 1, 1)
        with open(os.path.join(args.dir, 'check.json'), 'w') as f:
            json.dump(outputs(netG, netD, z, args), f)
    print(json.dumps({'ok': True}))


if __name__ == '__main__':
    sys.exit(main())
