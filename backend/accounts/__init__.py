"""Accounts: users, passwords, recovery phrases, tokens."""
