"""Profiles (contract §6): a user changes their display name; sanitised like at registration."""

from __future__ import annotations

from backend.accounts.models import User
from backend.content.sanitize import clean_text
from backend.shapes.errors import ValidationFailed


async def update_profile(user: User, *, display_name: str | None = None) -> User:
    if display_name is not None:
        name = clean_text(display_name)[:64]
        if not name:
            raise ValidationFailed(details={"display_name": ["must contain visible text"]})
        user.display_name = name
        await User.filter(id=user.id).update(display_name=name)
    return user
