#!/usr/bin/env python3
"""The Keras MNIST tutorial CNN, trained on dsprep's own shards: the baseline of train_mnist.sh.

The model is the tutorial's, layer for layer:

    Conv2D(32, 3x3, relu) -> MaxPooling2D(2) -> Dropout(0.25) ->
    Conv2D(64, 3x3, relu) -> MaxPooling2D(2) -> Dropout(0.25) ->
    Flatten -> Dense(128, relu) -> Dense(10, softmax)

Adam with Keras's defaults (lr 1e-3), sparse categorical cross-entropy, batch 32, 10 epochs,
Keras's own per-epoch shuffle, and the validation split evaluated after every epoch (as
`dsprep train` does). The data are dsprep's shards (`SHARDS/train-*.safetensors`,
`validation-*`, `test-*`, read with `safetensors.numpy.load_file`), so both tools train on
the same samples: pixels times the manifest's `normalize.scale` (x/255), then, with
`--normalization standardize`, minus the manifest's mean and over its std (what dsprep's
default is; `--run runs/NAME` reads the choice from that run's model.json).

Threads: `--threads N` sets OMP_NUM_THREADS, TF_NUM_INTRAOP_THREADS=N,
TF_NUM_INTEROP_THREADS=1 before TensorFlow is imported, and
`tf.config.threading.set_intra_op_parallelism_threads(N)` / `inter_op(1)`.

Prints one line per epoch with its wall time (a callback timing on_epoch_begin ->
on_epoch_end, so it includes the validation pass), then the test loss and accuracy.
`--json FILE` also writes them as JSON. Peak RSS is measured from outside
(`/usr/bin/time -v`); the script prints its own ru_maxrss as a cross-check.

Usage:

    python3 Benchmarks/keras_mnist.py SHARDS [--threads 2] [--epochs 10] [--batch-size 32]
        [--normalization standardize|scale] [--run runs/NAME] [--seed 1337] [--json out.json]

Needs tensorflow-cpu (`pip install tensorflow-cpu`), safetensors and numpy. With
KERAS_BACKEND=jax (`pip install keras jax jaxlib`) it runs on JAX instead; the thread
settings then go through XLA_FLAGS and the OMP variables only.
"""

import argparse
import glob
import json
import os
import resource
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shards", help="the shards folder written by `dsprep shard` (manifest.json, *.safetensors)")
    ap.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2); inter-op is 1")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--normalization", choices=["standardize", "scale"], default=None,
                    help="scale: x/255; standardize: (x/255 - mean)/std from the manifest "
                         "(default: what --run's model.json says, else standardize)")
    ap.add_argument("--run", help="a dsprep run folder whose model.json names the normalization")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--json", help="also write the results to this JSON file")
    ap.add_argument("--verbose", type=int, default=0, choices=[0, 1, 2],
                    help="Keras fit's verbose (default 0: only this script's lines)")
    return ap.parse_args()


args = parse_args()

# Thread limits must be in the environment before TensorFlow (or JAX) is imported.
threads = str(args.threads)
os.environ["OMP_NUM_THREADS"] = threads
os.environ["TF_NUM_INTRAOP_THREADS"] = threads
os.environ["TF_NUM_INTEROP_THREADS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ.get("KERAS_BACKEND") == "jax":
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={threads}").strip()

import numpy as np  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

backend_name = os.environ.get("KERAS_BACKEND", "tensorflow")
if backend_name == "tensorflow":
    import tensorflow as tf  # noqa: E402
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
import keras  # noqa: E402
from keras import layers  # noqa: E402


def die(message):
    sys.exit(f"keras_mnist: {message}")


manifest_path = os.path.join(args.shards, "manifest.json")
if not os.path.isfile(manifest_path):
    die(f"{manifest_path} is missing: pass a folder written by `dsprep shard`")
with open(manifest_path) as f:
    manifest = json.load(f)

normalization = args.normalization
if normalization is None and args.run:
    with open(os.path.join(args.run, "model.json")) as f:
        normalization = json.load(f).get("normalization")
normalization = normalization or "standardize"
if normalization not in ("standardize", "scale"):
    die(f"unknown normalization {normalization!r}")

norm = manifest["normalize"]
scale = np.float32(norm["scale"])
mean = np.asarray(norm["mean"], dtype=np.float32)
std = np.maximum(np.asarray(norm["std"], dtype=np.float32), np.float32(1e-12))
classes = manifest["classes"]


def load_split(split):
    paths = sorted(glob.glob(os.path.join(args.shards, f"{split}-*.safetensors")))
    if not paths:
        die(f"no {split}-*.safetensors in {args.shards}")
    xs, ys = [], []
    for path in paths:
        tensors = load_file(path)
        xs.append(tensors["images"])
        ys.append(tensors["labels"])
    x = np.concatenate(xs).astype(np.float32)  # [N, H, W, C], values as stored (0..255 for u8)
    x *= scale
    if normalization == "standardize":
        x -= mean  # broadcast over the channel axis (NHWC)
        x /= std
    y = np.concatenate(ys).astype(np.int64)
    return x, y


load_start = time.perf_counter()
x_train, y_train = load_split("train")
x_val, y_val = load_split("validation")
x_test, y_test = load_split("test")
load_seconds = time.perf_counter() - load_start
print(f"keras_mnist: train {len(x_train):,}, validation {len(x_val):,}, test {len(x_test):,} images "
      f"{x_train.shape[1:]}; normalization {normalization}; loaded in {load_seconds:.1f} s", flush=True)

keras.utils.set_random_seed(args.seed)
model = keras.Sequential([
    keras.Input(shape=x_train.shape[1:]),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Dropout(0.25),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(len(classes), activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
if args.verbose:
    model.summary()


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch (training steps plus the validation pass)."""

    def __init__(self):
        super().__init__()
        self.times, self.logs = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.start
        self.times.append(seconds)
        logs = {k: float(v) for k, v in (logs or {}).items()}
        self.logs.append(logs)
        print(f"epoch {epoch + 1}/{self.params['epochs']}: {seconds:.2f} s, loss {logs.get('loss', 0):.4f}, "
              f"accuracy {logs.get('accuracy', 0):.4f}, val_loss {logs.get('val_loss', 0):.4f}, "
              f"val_accuracy {logs.get('val_accuracy', 0):.4f}", flush=True)


timer = EpochTimer()
fit_start = time.perf_counter()
model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
          validation_data=(x_val, y_val), callbacks=[timer], verbose=args.verbose)
fit_seconds = time.perf_counter() - fit_start
test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

median_epoch = float(np.median(timer.times))
print(f"keras_mnist: median epoch {median_epoch:.2f} s (first {timer.times[0]:.2f} s), fit {fit_seconds:.1f} s")
print(f"keras_mnist: test loss {test_loss:.4f}, test accuracy {test_accuracy * 100:.2f}% "
      f"({len(x_test):,} images)")
print(f"keras_mnist: ru_maxrss {max_rss_mb:.0f} MB")

if args.json:
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "keras": keras.__version__,
                "backend": backend_name}
    if backend_name == "tensorflow":
        versions["tensorflow"] = tf.__version__
    result = {
        "epoch_seconds": timer.times, "median_epoch_seconds": median_epoch, "fit_seconds": fit_seconds,
        "history": timer.logs, "test_loss": float(test_loss), "test_accuracy": float(test_accuracy),
        "test_count": int(len(x_test)), "train_count": int(len(x_train)), "validation_count": int(len(x_val)),
        "normalization": normalization, "threads": args.threads, "batch_size": args.batch_size,
        "epochs": args.epochs, "seed": args.seed, "ru_maxrss_mb": max_rss_mb, "versions": versions,
    }
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
