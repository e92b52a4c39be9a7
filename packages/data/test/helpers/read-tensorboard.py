"""Reads a TensorBoard log folder with TensorBoard's own EventAccumulator and prints what it holds as JSON.

Usage: python3 read-tensorboard.py LOGDIR
Scalars as [step, value] pairs; histograms as their count, bucket-count sum and limits; images as the
size the event states and the size in the PNG's own header.
"""
import json
import struct
import sys

from tensorboard.backend.event_processing import event_accumulator


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("the image is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def main(logdir):
    keep_all = {kind: 0 for kind in event_accumulator.DEFAULT_SIZE_GUIDANCE}
    acc = event_accumulator.EventAccumulator(logdir, size_guidance=keep_all)
    acc.Reload()
    tags = acc.Tags()
    out = {"scalars": {}, "histograms": {}, "images": {}}
    for tag in tags["scalars"]:
        out["scalars"][tag] = [[e.step, e.value] for e in acc.Scalars(tag)]
    for tag in tags["histograms"]:
        out["histograms"][tag] = [
            {
                "step": e.step,
                "num": e.histogram_value.num,
                "min": e.histogram_value.min,
                "max": e.histogram_value.max,
                "sum": e.histogram_value.sum,
                "bucketSum": sum(e.histogram_value.bucket),
                "bucketLimits": list(e.histogram_value.bucket_limit),
            }
            for e in acc.Histograms(tag)
        ]
    for tag in tags["images"]:
        images = []
        for e in acc.Images(tag):
            width, height = png_size(e.encoded_image_string)
            images.append({"step": e.step, "width": e.width, "height": e.height, "pngWidth": width, "pngHeight": height})
        out["images"][tag] = images
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
