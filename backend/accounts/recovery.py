"""BIP39 recovery phrases: 24 English words (256 bits), compared after normalising."""

from __future__ import annotations

from mnemonic import Mnemonic

_MNEMONIC = Mnemonic("english")


def new_phrase() -> str:
    return _MNEMONIC.generate(strength=256)


def normalise(phrase: str) -> str:
    """Case and whitespace do not matter to a person typing 24 words back."""
    return " ".join(phrase.lower().split())
