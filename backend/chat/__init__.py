"""Chat: rooms, membership, messages, history."""
