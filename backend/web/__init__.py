"""The HTTP toolkit every route uses: JSON bodies, errors, auth, app keys."""
