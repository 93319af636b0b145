"""scopelint: find TensorFlow 1.x variable-scope misuse before the graph is built."""

__version__ = "0.1.0"
