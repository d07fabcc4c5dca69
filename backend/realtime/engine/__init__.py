"""What adapts python-socketio, engine.io and aiohttp."""
