"""Reference numbers for dsprep's Training tests, computed by Keras itself.

Writes `optimizers.json` beside this script; the Swift tests read that file, so CI needs no
Python. Regenerate with:

    python3 -m venv /tmp/kerasref && /tmp/kerasref/bin/pip install keras jax jaxlib
    KERAS_BACKEND=jax /tmp/kerasref/bin/python Tests/TrainingTests/reference/optimizers.py

Recorded: Keras 3 (JAX backend, CPU, float32) versions in the JSON's "versions".

What is computed, each from Keras's own classes, not from formulas written here:
- optimizers: a few `update_step`s of keras.optimizers.Adam and SGD (momentum, Nesterov) on
  two variables, a [2, 3] kernel and a [3] bias, with fixed gradients (including tiny ones,
  where Adam's epsilon placement shows). Coupled L2 weight decay has no Keras optimiser
  argument (Keras's `weight_decay` is decoupled): it is applied as dsprep applies it, by
  adding `weight_decay * kernel` to the kernel's gradient before Keras's update, which is what
  `kernel_regularizer=L2(weight_decay / 2)` does to the gradient.
- schedules: ExponentialDecay(staircase=True) and CosineDecay per step; ReduceLROnPlateau's
  learning rate after each of a sequence of epoch-end losses.
- layers: outputs and input gradients (jax.vjp through Keras layers) for Conv2D (valid/same,
  stride 1/2), MaxPooling2D and AveragePooling2D (same padding), BatchNormalization (training
  output, moving statistics), Dense; weights are stored here in PyTorch layouts (conv
  [out, in, kh, kw], dense [out, in]) and transposed into Keras's for the call.
- losses: CategoricalCrossentropy(from_logits=True, label_smoothing) value and gradient.
- parameter counts: the Keras MNIST CNN (the `cnn` preset) and dsprep's other presets.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np

rng = np.random.default_rng(1337)


def f32(array):
    return np.asarray(array, dtype=np.float32)


def listed(array):
    return [float(x) for x in np.asarray(array, dtype=np.float32).ravel()]


# ---------------------------------------------------------------- optimizers

kernel0 = f32(rng.uniform(-1, 1, (2, 3)))
bias0 = f32(rng.uniform(-1, 1, (3,)))
steps = 5
kernel_grads = [f32(rng.normal(0, 1, (2, 3))) for _ in range(steps)]
bias_grads = [f32(rng.normal(0, 1, (3,))) for _ in range(steps)]
# Tiny gradients on the bias's last entry in every step: epsilon dominates there.
for g in bias_grads:
    g[2] = np.float32(3e-8)


def run_optimizer(make, weight_decay):
    optimizer = make()
    kernel = keras.Variable(kernel0.copy(), name="kernel")
    bias = keras.Variable(bias0.copy(), name="bias")
    optimizer.build([kernel, bias])
    kernels, biases = [], []
    for step in range(steps):
        gk = kernel_grads[step] + f32(weight_decay) * f32(kernel.numpy()) if weight_decay else kernel_grads[step]
        optimizer.apply([f32(gk), bias_grads[step]], [kernel, bias])
        kernels.append(listed(kernel.numpy()))
        biases.append(listed(bias.numpy()))
    return kernels, biases


optimizer_cases = []
for name, config, make in [
    ("adam-defaults", {"kind": "adam", "learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "weight_decay": 0.0},
     lambda: keras.optimizers.Adam()),
    ("adam-custom", {"kind": "adam", "learning_rate": 0.05, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-3, "weight_decay": 0.0},
     lambda: keras.optimizers.Adam(learning_rate=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-3)),
    ("adam-l2", {"kind": "adam", "learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "weight_decay": 0.1},
     lambda: keras.optimizers.Adam(learning_rate=0.01)),
    ("sgd-plain", {"kind": "sgd", "learning_rate": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0},
     lambda: keras.optimizers.SGD(learning_rate=0.1)),
    ("sgd-momentum", {"kind": "sgd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
     lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)),
    ("sgd-nesterov", {"kind": "sgd", "learning_rate": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.0},
     lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.8, nesterov=True)),
    ("sgd-nesterov-l2", {"kind": "sgd", "learning_rate": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
     lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)),
]:
    kernels, biases = run_optimizer(make, config["weight_decay"])
    optimizer_cases.append({"name": name, "config": config, "kernels": kernels, "biases": biases})

# ---------------------------------------------------------------- schedules

step_schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5, staircase=True)
cosine_schedule = keras.optimizers.schedules.CosineDecay(0.1, decay_steps=10, alpha=0.1)
schedules = {
    "step": {"base": 0.1, "every": 3, "factor": 0.5, "rates": [float(step_schedule(s)) for s in range(12)]},
    "cosine": {"base": 0.1, "decay_steps": 10, "alpha": 0.1, "rates": [float(cosine_schedule(s)) for s in range(13)]},
}

plateau_losses = [1.0, 0.9, 0.89995, 0.9, 0.95, 0.9, 0.8, 0.85, 0.86, 0.87, 0.88, 0.79999, 0.9, 0.9, 0.9, 0.9]
plateau_cases = []
for patience, cooldown, min_lr in [(2, 0, 0.0), (1, 2, 0.0), (1, 0, 0.0005)]:
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    callback = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=patience, cooldown=cooldown, min_lr=min_lr)
    callback.set_model(model)
    callback.on_train_begin()
    rates = []
    for epoch, loss in enumerate(plateau_losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        rates.append(float(np.float32(model.optimizer.learning_rate.numpy())))
    plateau_cases.append({"patience": patience, "cooldown": cooldown, "min_lr": min_lr, "factor": 0.1,
                          "min_delta": 1e-4, "base": 0.1, "losses": plateau_losses, "rates": rates})

# ---------------------------------------------------------------- layers


def vjp(layer_call, x, upstream):
    y, pullback = jax.vjp(layer_call, jnp.asarray(x))
    (dx,) = pullback(jnp.asarray(upstream))
    return np.asarray(y), np.asarray(dx)


layer_cases = []


def conv_case(name, height, width, cin, filters, kernel, stride, padding):
    x = f32(rng.uniform(-1, 1, (2, height, width, cin)))
    w_torch = f32(rng.uniform(-0.5, 0.5, (filters, cin, kernel, kernel)))
    b = f32(rng.uniform(-0.5, 0.5, (filters,)))
    layer = keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding, activation="relu")
    layer.build(x.shape)
    layer.set_weights([w_torch.transpose(2, 3, 1, 0), b])  # Keras: [kh, kw, in, out]
    y0 = np.asarray(layer(x))
    upstream = f32(rng.uniform(-1, 1, y0.shape))
    y, dx = vjp(lambda t: layer(t), x, upstream)
    layer_cases.append({"name": name, "layer": "conv", "spec": f"conv{filters}k{kernel}" + (f"s{stride}" if stride != 1 else "") + ("same" if padding == "same" else ""),
                        "input_shape": list(x.shape), "input": listed(x), "weight": listed(w_torch), "bias": listed(b),
                        "output_shape": list(y.shape), "output": listed(y), "upstream": listed(upstream), "input_gradient": listed(dx)})


conv_case("conv-valid-s1", 6, 7, 2, 3, 3, 1, "valid")
conv_case("conv-same-s1", 5, 6, 2, 3, 3, 1, "same")
conv_case("conv-same-s2-even", 6, 8, 2, 3, 3, 2, "same")
conv_case("conv-same-s2-odd", 7, 5, 1, 2, 4, 2, "same")
conv_case("conv-valid-s2", 7, 8, 3, 2, 3, 2, "valid")


def pool_case(name, kind, size, stride, padding, height, width):
    x = f32(rng.uniform(-1, 1, (2, height, width, 3)))
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    layer = cls(pool_size=size, strides=stride, padding=padding)
    y0 = np.asarray(layer(x))
    upstream = f32(rng.uniform(-1, 1, y0.shape))
    y, dx = vjp(lambda t: layer(t), x, upstream)
    spec = ("pool" if kind == "max" else "avgpool") + f"{size}" + (f"s{stride}" if stride != size else "") + ("same" if padding == "same" else "")
    layer_cases.append({"name": name, "layer": "pool", "spec": spec, "input_shape": list(x.shape), "input": listed(x),
                        "output_shape": list(y.shape), "output": listed(y), "upstream": listed(upstream), "input_gradient": listed(dx)})


pool_case("maxpool-valid", "max", 2, 2, "valid", 5, 6)
pool_case("maxpool-same", "max", 2, 2, "same", 5, 7)
pool_case("maxpool-3s2-same", "max", 3, 2, "same", 6, 5)
pool_case("avgpool-same", "avg", 2, 2, "same", 5, 7)
pool_case("avgpool-3s2-same", "avg", 3, 2, "same", 6, 5)

# BatchNormalization in training mode: output, input gradient, moving statistics after one call.
x = f32(rng.normal(0.5, 2, (3, 4, 5, 2)))
bn = keras.layers.BatchNormalization()
bn.build(x.shape)
gamma = f32(rng.uniform(0.5, 1.5, (2,)))
beta = f32(rng.uniform(-0.5, 0.5, (2,)))
bn.set_weights([gamma, beta, np.zeros(2, np.float32), np.ones(2, np.float32)])
bn_y = np.asarray(bn(x, training=True))
moving_mean, moving_var = [listed(v) for v in bn.get_weights()[2:]]
upstream = f32(rng.uniform(-1, 1, bn_y.shape))
bn.set_weights([gamma, beta, np.zeros(2, np.float32), np.ones(2, np.float32)])
_, bn_dx = vjp(lambda t: bn(t, training=True), x, upstream)
layer_cases.append({"name": "batchnorm-training", "layer": "bn", "spec": "bn", "input_shape": list(x.shape), "input": listed(x),
                    "gamma": listed(gamma), "beta": listed(beta), "output_shape": list(bn_y.shape), "output": listed(bn_y),
                    "running_mean": moving_mean, "running_var": moving_var,
                    "upstream": listed(upstream), "input_gradient": listed(bn_dx)})

x = f32(rng.uniform(-1, 1, (4, 5)))
w_torch = f32(rng.uniform(-0.5, 0.5, (3, 5)))
b = f32(rng.uniform(-0.5, 0.5, (3,)))
dense = keras.layers.Dense(3, activation="relu")
dense.build(x.shape)
dense.set_weights([w_torch.T, b])  # Keras: [in, out]
y0 = np.asarray(dense(x))
upstream = f32(rng.uniform(-1, 1, y0.shape))
y, dx = vjp(lambda t: dense(t), x, upstream)
layer_cases.append({"name": "dense-relu", "layer": "dense", "spec": "dense3", "input_shape": list(x.shape), "input": listed(x),
                    "weight": listed(w_torch), "bias": listed(b), "output_shape": list(y.shape), "output": listed(y),
                    "upstream": listed(upstream), "input_gradient": listed(dx)})

# ---------------------------------------------------------------- loss

logits = f32(rng.normal(0, 3, (4, 5)))
logits[1] += 80  # large logits: the log-sum-exp must not overflow
labels = [0, 3, 4, 1]
loss_cases = []
for smoothing in [0.0, 0.1]:
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing)
    onehot = f32(np.eye(5)[labels])
    value, grad = jax.value_and_grad(lambda z: loss_fn(jnp.asarray(onehot), z))(jnp.asarray(logits))
    loss_cases.append({"label_smoothing": smoothing, "logits_shape": list(logits.shape), "logits": listed(logits),
                       "labels": labels, "loss": float(value), "gradient": listed(grad)})

# ---------------------------------------------------------------- parameter counts


def count(layers, shape, classes):
    model = keras.Sequential([keras.Input(shape)] + layers + [keras.layers.Dense(classes, activation="softmax")])
    return int(model.count_params())


L = keras.layers
parameter_counts = {
    "cnn@28x28x1/10": count([L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2), L.Dropout(0.25),
                             L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Dropout(0.25),
                             L.Flatten(), L.Dense(128, activation="relu")], (28, 28, 1), 10),
    "mlp@96x96x1/2": count([L.Flatten(), L.Dense(512, activation="relu"), L.Dropout(0.2),
                            L.Dense(256, activation="relu")], (96, 96, 1), 2),
    "cnn-large@96x96x3/2": count([L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                                  L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                                  L.Conv2D(128, 3, activation="relu"), L.MaxPooling2D(2),
                                  L.Conv2D(128, 3, activation="relu"), L.MaxPooling2D(2),
                                  L.Flatten(), L.Dropout(0.5), L.Dense(512, activation="relu")], (96, 96, 3), 2),
}

result = {
    "generator": "Tests/TrainingTests/reference/optimizers.py",
    "versions": {"keras": keras.__version__, "backend": keras.backend.backend(), "jax": jax.__version__, "numpy": np.__version__},
    "optimizers": {"kernel": listed(kernel0), "bias": listed(bias0),
                   "kernel_gradients": [listed(g) for g in kernel_grads], "bias_gradients": [listed(g) for g in bias_grads],
                   "cases": optimizer_cases},
    "schedules": schedules,
    "plateau": plateau_cases,
    "layers": layer_cases,
    "losses": loss_cases,
    "parameter_counts": parameter_counts,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
with open(path, "w") as file:
    json.dump(result, file, indent=1)
    file.write("\n")
print(f"wrote {path}")
