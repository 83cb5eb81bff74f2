"""Operator definitions, one module per family. Importing this package registers them all."""
from . import binary, unary, reduce, matrix, shape, index, init, random_ops, nn, grad_ops, optimizer_ops  # noqa: F401
from . import loss, dropout, normalization, pooling, conv, rnn, activation, embedding  # noqa: F401
from . import spatial, sequence  # noqa: F401

FAMILIES = ("binary", "unary", "reduce", "matrix", "shape", "index", "init", "random_ops", "nn",
            "grad_ops", "optimizer_ops", "pooling", "conv", "rnn",
            "activation", "embedding", "spatial", "sequence")
