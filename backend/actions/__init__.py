"""Actions: every change a person makes that others must hear of, done then told (Zulip's rule).

An action commits its change, then sends its events through the one notifier
(`backend.fanout.events`, each event's schema in `backend.fanout.schemas`); handlers (REST
routes, Socket.IO events) authorise and call an action, and never emit themselves. Messages and
other queued writes are the worker's actions (`worker/`): it commits a batch, then emits it.
tests/unit/test_layout.py checks that events leave only from here, the worker and the fan-out.
"""
