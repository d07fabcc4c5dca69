"""Settings read from the environment: each type cast by marshmallow, `.env` under the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.settings.config import Settings, SettingsError
from backend.settings.config_env import field_for
from tests.support.procs import JWT_SECRET


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("false", False), ("0", False), ("no", False), ("true", True), ("1", True)],
)
def test_a_boolean_setting_reads_false_as_false(raw: str, expected: bool) -> None:
    assert field_for(True).deserialize(raw) is expected


def test_numbers_and_paths_are_cast_by_their_default_type() -> None:
    settings = Settings.from_env(
        {
            "CHATTY_MESSAGE_BURST": "7",
            "CHATTY_MESSAGE_RATE": "2.5",
            "CHATTY_DATA_DIR": "/tmp/x",
            "JWT_SECRET": JWT_SECRET,
        }
    )
    assert (settings.message_burst, settings.message_rate) == (7, 2.5)
    assert settings.data_dir == Path("/tmp/x")


def test_a_value_of_the_wrong_type_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="CHATTY_MESSAGE_BURST"):
        Settings.from_env({"CHATTY_MESSAGE_BURST": "1.5", "JWT_SECRET": JWT_SECRET})


def test_registration_is_open_by_default_and_refuses_an_unknown_mode() -> None:
    assert Settings.from_env({}, jwt_secret="x" * 32).registration == "open"
    assert (
        Settings.from_env({"CHATTY_REGISTRATION": "invite"}, jwt_secret="x" * 32).registration
        == "invite"
    )
    with pytest.raises(SettingsError, match="CHATTY_REGISTRATION"):
        Settings.from_env({"CHATTY_REGISTRATION": "maybe"}, jwt_secret="x" * 32)


def test_the_environment_wins_over_a_dotenv_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / "chatty.env"
    dotenv.write_text(
        f"# a comment\nCHATTY_MESSAGE_BURST=9\nCHATTY_MESSAGE_RATE='3.5'\nJWT_SECRET={JWT_SECRET}\n"
    )
    monkeypatch.setenv("CHATTY_ENV_FILE", str(dotenv))
    monkeypatch.setenv("CHATTY_MESSAGE_RATE", "4")
    monkeypatch.delenv("CHATTY_MESSAGE_BURST", raising=False)
    settings = Settings.from_env()
    assert (settings.message_burst, settings.message_rate) == (9, 4.0)
