"""Reading the variable names, shapes and dtypes of a TF checkpoint without TensorFlow.

A name-based checkpoint (`tf.train.Saver`, tensor bundle V2) is a prefix with
an `.index` file and `.data-NNNNN-of-NNNNN` shards. The index is a LevelDB
table (tensorflow/core/lib/io/table_format.txt): data blocks of prefix-compressed
entries with restart points, an index block of handles to them, and a 48-byte
footer. Each entry maps a tensor name to a `BundleEntryProto`
(tensorflow/core/protobuf/tensor_bundle.proto); the empty key holds the
`BundleHeaderProto`, and keys starting with NUL are the slices of partitioned
variables (the full variable has its own entry). Only the index is read.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from typing import Iterator, Optional

FOOTER_BYTES = 48
MAGIC = 0xDB4775248B80FB57
TRAILER_BYTES = 5  # compression type, masked crc32c
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
OBJECT_ATTRIBUTE = "/.ATTRIBUTES/"
VARIABLE_VALUE = OBJECT_ATTRIBUTE + "VARIABLE_VALUE"
OPTIMIZER_SLOT = "/.OPTIMIZER_SLOT/"
STATE_FILE = "checkpoint"

# tensorflow/core/framework/types.proto (reference types are the same + 100)
DTYPES = {
    1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string",
    8: "complex64", 9: "int64", 10: "bool", 11: "qint8", 12: "quint8", 13: "qint32",
    14: "bfloat16", 15: "qint16", 16: "quint16", 17: "uint16", 18: "complex128",
    19: "float16", 20: "resource", 21: "variant", 22: "uint32", 23: "uint64",
}

Shape = Optional[tuple[int, ...]]  # None: unknown rank


class CheckpointError(Exception):
    """A checkpoint that cannot be found or read; the CLI exits with status 2."""


@dataclass(frozen=True)
class Tensor:
    """One saved variable: its name (the Saver key), shape and dtype."""

    name: str
    shape: Shape
    dtype: Optional[str]


@dataclass(frozen=True)
class Checkpoint:
    """The tensors of one checkpoint, in key order."""

    index: str  # the `.index` file read
    tensors: tuple[Tensor, ...]
    note: str = ""  # how the location given became that file, when it is not plain

    @property
    def object_based(self) -> bool:
        """Written by TF2's `tf.train.Checkpoint`: keys are object paths, not variable names."""
        return any(t.name == OBJECT_GRAPH_KEY or OBJECT_ATTRIBUTE in t.name
                   for t in self.tensors)

    def comparable(self) -> tuple[Tensor, ...]:
        """The entries to compare with variable names: every entry of a name-based checkpoint;
        the variables of an object-based one, under their object paths (`model/dense/kernel`)."""
        if not self.object_based:
            return self.tensors
        return tuple(Tensor(t.name[:-len(VARIABLE_VALUE)], t.shape, t.dtype) for t in self.tensors
                     if t.name.endswith(VARIABLE_VALUE) and OPTIMIZER_SLOT not in t.name)


def load(location: str) -> Checkpoint:
    """The checkpoint at a prefix, one of its files (`.index`, `.data-…`, `.meta`), a
    directory with a `checkpoint` file, or the prefix of numbered ones (the latest)."""
    index, note = index_path(location)
    try:
        with open(index, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise CheckpointError(f"{index}: cannot read: {err.strerror or err}") from None
    return Checkpoint(index, tuple(read_index(data, index)), note)


def index_path(location: str) -> tuple[str, str]:
    """The `.index` file a checkpoint location names, and a note when it was found by
    reading a `checkpoint` file or by taking the latest numbered prefix."""
    if os.path.isdir(location):
        prefix = _state_prefix(location)
        return prefix + ".index", ""
    if location.endswith(".index") and os.path.isfile(location):
        return location, ""
    sibling = re.match(r"(.*)\.(?:data-\d{5}-of-\d{5}|meta)$", location)
    prefix = sibling.group(1) if sibling else location
    if os.path.isfile(prefix + ".index"):
        return prefix + ".index", ""
    numbered = _numbered(prefix) if not sibling else []
    if numbered:
        step, latest = max(numbered)
        return latest + ".index", (f"{location} is the prefix of {len(numbered)} numbered "
                                   f"checkpoints: comparing the latest, {latest} (step {step})")
    if os.path.isfile(location):
        raise CheckpointError(f"{location}: not a checkpoint: no {prefix}.index next to it "
                              "(give a Saver prefix, its .index file or its directory)")
    raise CheckpointError(f"no checkpoint at {location} (no {prefix}.index)")


def _numbered(prefix: str) -> list[tuple[int, str]]:
    """(step, prefix) of each `prefix-NNN` checkpoint with an index (`model.ckpt-1000`)."""
    folder, base = os.path.split(prefix)
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    found = (re.fullmatch(re.escape(base) + r"-(\d+)\.index", name) for name in names)
    return [(int(m.group(1)), os.path.join(folder, m.group(0)[:-len(".index")]))
            for m in found if m]


def _state_prefix(directory: str) -> str:
    """The prefix the `checkpoint` state file of a directory points to."""
    state = os.path.join(directory, STATE_FILE)
    try:
        with open(state, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or err
        raise CheckpointError(f"{directory}: a directory without a readable "
                              f"'{STATE_FILE}' file ({reason})") from None
    found = re.search(r'^\s*model_checkpoint_path\s*:\s*"((?:[^"\\]|\\.)*)"', text, re.M)
    if found is None:
        raise CheckpointError(f"{state}: no model_checkpoint_path in it")
    try:  # a text-format string: C escapes of UTF-8 bytes
        prefix = found.group(1).encode("utf-8").decode("unicode_escape").encode(
            "latin-1").decode("utf-8")
    except UnicodeError as err:
        raise CheckpointError(f"{state}: bad model_checkpoint_path ({err})") from None
    prefix = os.path.join(directory, prefix)  # relative paths are relative to the directory
    if not os.path.isfile(prefix + ".index"):
        raise CheckpointError(f"{state} points to {prefix}, which does not exist "
                              f"(no {prefix}.index)")
    return prefix


# -- the LevelDB table ------------------------------------------------------------------


def read_index(data: bytes, where: str) -> Iterator[Tensor]:
    """Every tensor entry of an index file's bytes; CheckpointError if they are not one."""
    try:
        for key, value in _table_entries(data, where):
            if key and not key.startswith(b"\x00"):  # header, slices of partitioned variables
                yield _tensor(key.decode("utf-8"), value)
    except (IndexError, ValueError, struct.error) as err:
        raise CheckpointError(f"{where}: corrupt checkpoint index ({err})") from None


def _table_entries(data: bytes, where: str) -> Iterator[tuple[bytes, bytes]]:
    if len(data) < FOOTER_BYTES or struct.unpack_from("<Q", data, len(data) - 8)[0] != MAGIC:
        raise CheckpointError(f"{where}: not a checkpoint index (truncated, or another format)")
    footer = memoryview(data)[len(data) - FOOTER_BYTES:]
    _metaindex, pos = _handle(footer, 0)
    index, _ = _handle(footer, pos)
    for _, handle in _block_entries(_block(data, index, where)):
        yield from _block_entries(_block(data, _handle(handle, 0)[0], where))


def _handle(buf: bytes | memoryview, pos: int) -> tuple[tuple[int, int], int]:
    """A BlockHandle (offset, size) at `pos`, and the position after it."""
    offset, pos = _varint(buf, pos)
    size, pos = _varint(buf, pos)
    return (offset, size), pos


def _block(data: bytes, handle: tuple[int, int], where: str) -> bytes:
    """A block's contents, after checking its trailer (compression type and crc32c)."""
    offset, size = handle
    end = offset + size
    if end + TRAILER_BYTES > len(data) - FOOTER_BYTES:
        raise CheckpointError(f"{where}: corrupt checkpoint index (a block past the end)")
    kind = data[end]
    if kind != 0:
        raise CheckpointError(f"{where}: compressed checkpoint index blocks (type {kind}) "
                              "are not supported")
    (stored,) = struct.unpack_from("<I", data, end + 1)
    if _unmask(stored) != crc32c(data[offset:end + 1]):
        raise CheckpointError(f"{where}: corrupt checkpoint index (checksum mismatch)")
    return data[offset:end]


def _block_entries(block: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The (key, value) entries of a block, with prefix-compressed keys expanded."""
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * restarts
    if limit < 0:
        raise ValueError("bad restart count")
    pos, key = 0, b""
    while pos < limit:
        shared, pos = _varint(block, pos)
        unshared, pos = _varint(block, pos)
        length, pos = _varint(block, pos)
        if shared > len(key) or pos + unshared + length > limit:
            raise ValueError("entry past the end of its block")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        yield key, block[pos:pos + length]
        pos += length


# -- protocol buffers -------------------------------------------------------------------


def _tensor(name: str, entry: bytes) -> Tensor:
    """A BundleEntryProto: dtype = 1, shape = 2 (TensorShapeProto)."""
    dtype: Optional[str] = None
    shape: Shape = ()
    for field, value in _fields(entry):
        if field == 1 and isinstance(value, int):
            dtype = DTYPES.get(value % 100, f"dtype {value}")
        elif field == 2 and isinstance(value, bytes):
            shape = _shape(value)
    return Tensor(name, shape, dtype)


def _shape(proto: bytes) -> Shape:
    """A TensorShapeProto: dim = 2 (Dim: size = 1), unknown_rank = 3."""
    dims = []
    for field, value in _fields(proto):
        if field == 2 and isinstance(value, bytes):
            size = next((v for f, v in _fields(value) if f == 1 and isinstance(v, int)), 0)
            dims.append(size - (1 << 64) if size >= 1 << 63 else size)  # int64: -1 unknown
        elif field == 3 and value:
            return None
    return tuple(dims)


def _fields(message: bytes) -> Iterator[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message: ints and length-delimited bytes."""
    pos = 0
    while pos < len(message):
        tag, pos = _varint(message, pos)
        wire = tag & 7
        if wire == 0:
            value, pos = _varint(message, pos)
            yield tag >> 3, value
        elif wire == 2:
            length, pos = _varint(message, pos)
            if pos + length > len(message):
                raise ValueError("field past the end of its message")
            yield tag >> 3, message[pos:pos + length]
            pos += length
        elif wire in (1, 5):  # fixed64, fixed32 (crc32c): not needed
            pos += 8 if wire == 1 else 4
        else:
            raise ValueError(f"wire type {wire}")


def _varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


# -- crc32c (Castagnoli), as LevelDB masks it -----------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _unmask(masked: int) -> int:
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
