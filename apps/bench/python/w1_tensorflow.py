"""W1 and W2 in TensorFlow with a compiled `tf.function` train step (and optionally XLA): the same
workloads as apps/bench/src/workload.ts, op for op, so the ratios compare like with like. Prints the first
step's time ("first 0 <ms>"), one line per measured step ("step <i> <ms>"), one per encode repeat
("encode <i> <ms>"), then "info <json>". Run by apps/bench inside its own virtualenv."""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

INPUT, HIDDEN, LATENT, BATCH, ENCODE_N = 784, 512, 32, 128, 1024


def dense_stack(sizes, seed):
    weights = []
    for i in range(len(sizes) - 1):
        init = tf.keras.initializers.GlorotUniform(seed=seed + i)
        weights.append(tf.Variable(init((sizes[i], sizes[i + 1])), name=f"w{seed + i}"))
        weights.append(tf.Variable(tf.zeros((sizes[i + 1],)), name=f"b{seed + i}"))
    return weights


def run_stack(weights, h):
    layers = len(weights) // 2
    for i in range(layers):
        h = tf.matmul(h, weights[2 * i]) + weights[2 * i + 1]
        if i < layers - 1:
            h = tf.nn.relu(h)
    return h


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--encode-repeats", type=int, default=20)
    parser.add_argument("--budget-ms", type=float, default=0, help="stop after this much step time once 3 steps are in")
    parser.add_argument("--xla", action="store_true", help="compile the step with XLA (jit_compile=True)")
    args = parser.parse_args()
    tf.random.set_seed(0)

    encoder = dense_stack([INPUT, HIDDEN, HIDDEN, 2 * LATENT], 0)
    decoder = dense_stack([LATENT, HIDDEN, HIDDEN, INPUT], 10)
    variables = encoder + decoder
    opt = tf.keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7)
    opt.build(variables)

    def loss_fn(x):
        mean, log_var = tf.split(run_stack(encoder, x), 2, axis=1)
        z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
        logits = run_stack(decoder, z)
        rec = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits))
        kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var))
        return (rec + kl) / tf.cast(tf.shape(x)[0], tf.float32)

    @tf.function(jit_compile=args.xla)
    def train_step(x):
        with tf.GradientTape() as tape:
            loss = loss_fn(x)
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        return loss

    @tf.function(jit_compile=args.xla)
    def encode(x):
        mean, _ = tf.split(run_stack(encoder, x), 2, axis=1)
        return mean

    gen = tf.random.Generator.from_seed(1)
    pool = tf.cast(gen.uniform((8 * BATCH, INPUT)) < 0.5, tf.float32)
    batches = [pool[i * BATCH:(i + 1) * BATCH] for i in range(8)]
    spent = 0.0
    for i in range(args.warmup + args.steps):
        x = batches[i % 8]
        t0 = time.perf_counter()
        float(train_step(x).numpy())
        ms = (time.perf_counter() - t0) * 1000
        if i == 0:
            # The first call traces the step (and with --xla compiles it): reported apart from the step times.
            print(f"first 0 {ms:.4f}", flush=True)
        if i >= args.warmup:
            print(f"step {i - args.warmup} {ms:.4f}", flush=True)
            spent += ms
            if args.budget_ms and i - args.warmup >= 2 and spent > args.budget_ms:
                break

    x = tf.cast(gen.uniform((ENCODE_N, INPUT)) < 0.5, tf.float32)
    spent = 0.0
    for i in range(2 + args.encode_repeats):
        t0 = time.perf_counter()
        encode(x).numpy()
        ms = (time.perf_counter() - t0) * 1000
        if i >= 2:
            print(f"encode {i - 2} {ms:.4f}", flush=True)
            spent += ms
            if args.budget_ms and i >= 4 and spent > args.budget_ms:
                break

    info = {
        "name": "tensorflow-xla" if args.xla else "tensorflow",
        "version": tf.__version__,
        "threads": tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count(),
        "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print("info " + json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
