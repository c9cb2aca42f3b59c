"""Expected pixels for sdk ImagePreprocessorTest: timm's eval transform (Resize short side to
floor(size / crop_pct), CenterCrop) on a PIL image, without ToTensor/Normalize, printed as 8-bit values
in C, H, W order.

usage: python3 pil_reference.py IMG_W IMG_H H W CROP|none nearest|bilinear|bicubic CHANNELS
(needs Pillow and numpy; Debian: apt-get install python3-pil python3-numpy)
"""
import math
import sys

import numpy as np
from PIL import Image


def pattern(x, y, k):
    # the same pattern as ImagePreprocessorTest.pattern
    return (x * 37 + y * 91 + k * 53 + x * y * 7 + ((x ^ y) * 13)) % 256


def main():
    iw, ih, h, w = map(int, sys.argv[1:5])
    crop, interp, channels = sys.argv[5], sys.argv[6], int(sys.argv[7])
    arr = np.array([[[pattern(x, y, k) for k in range(3)] for x in range(iw)] for y in range(ih)], np.uint8)
    img = Image.fromarray(arr, "RGB")
    if channels == 1:
        img = img.convert("L")
    f = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}[interp]
    if crop == "none":
        img = img.resize((w, h), f)
    else:
        size = math.floor(h / float(crop))
        assert size == math.floor(w / float(crop)), "square scale size only (torchvision Resize(int))"
        short, long = (iw, ih) if iw <= ih else (ih, iw)
        new_short, new_long = size, int(size * long / short)
        nw, nh = (new_short, new_long) if iw <= ih else (new_long, new_short)
        if (nw, nh) != (iw, ih):
            img = img.resize((nw, nh), f)
        top, left = int(round((nh - h) / 2.0)), int(round((nw - w) / 2.0))
        img = img.crop((left, top, left + w, top + h))
    a = np.asarray(img)
    if channels == 1:
        a = a[:, :, None]
    print(" ".join(str(int(v)) for v in a.transpose(2, 0, 1).ravel()))


if __name__ == "__main__":
    main()
