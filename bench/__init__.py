"""Benchmarks: chatty against a plain python-socketio relay and the Node.js socket.io relay."""
